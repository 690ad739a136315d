import type { types } from 'mediasoup-client';
import { opusCodecOptions, simulcastEncodings } from '../../../shared/media';
import { createTransport, loadDevice } from '../media/device';
import type { MediaSignalling } from '../media/MediaSignalling';

/** Sends the organizer's camera and microphone over one send transport: speech-tuned Opus and VP8 simulcast. */
export class Publisher {
  readonly #transport: types.Transport;
  readonly #onFailed: (reason: string) => void;
  readonly #producers: types.Producer[] = [];

  static async open(
    signalling: MediaSignalling,
    routerRtpCapabilities: types.RtpCapabilities,
    camera: MediaStream,
    onFailed: (reason: string) => void,
  ): Promise<Publisher> {
    // Independent round trips; doing them side by side saves one.
    const [device, params] = await Promise.all([
      loadDevice(routerRtpCapabilities),
      signalling.request('createTransport', { direction: 'send' }),
    ]);
    const transport = createTransport(device, signalling, 'send', params);
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      signalling
        .request('produce', { transportId: transport.id, kind, rtpParameters })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    const publisher = new Publisher(transport, onFailed);
    try {
      await publisher.#produce(device, camera);
    } catch (error) {
      publisher.close();
      throw error;
    }
    return publisher;
  }

  private constructor(transport: types.Transport, onFailed: (reason: string) => void) {
    this.#transport = transport;
    this.#onFailed = onFailed;
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') onFailed('The media connection to the server failed.');
    });
  }

  close(): void {
    for (const producer of this.#producers) producer.close();
    this.#transport.close();
  }

  async #produce(device: types.Device, camera: MediaStream): Promise<void> {
    const [audioTrack] = camera.getAudioTracks();
    const [videoTrack] = camera.getVideoTracks();
    if (!audioTrack && !videoTrack) throw new Error('There is no camera or microphone to publish.');
    // The tracks belong to the preview, which outlives any one publishing attempt, so producers must not stop them.
    if (audioTrack) {
      this.#add(
        await this.#transport.produce({ track: audioTrack, codecOptions: opusCodecOptions, stopTracks: false }),
      );
    }
    if (videoTrack) {
      const vp8 = device.sendRtpCapabilities.codecs?.find((codec) => codec.mimeType.toLowerCase() === 'video/vp8');
      this.#add(
        await this.#transport.produce({
          track: videoTrack,
          // produce() takes mutable encodings; the shared ones are a readonly constant.
          encodings: simulcastEncodings.map((encoding) => ({ ...encoding })),
          codec: vp8,
          stopTracks: false,
        }),
      );
    }
  }

  #add(producer: types.Producer): void {
    this.#producers.push(producer);
    producer.on('trackended', () => this.#onFailed('The camera or microphone stopped.'));
  }
}
