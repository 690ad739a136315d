import type { types } from 'mediasoup-client';
import { opusCodecOptions, simulcastEncodings } from '../../../shared/media';
import { createTransport, loadDevice } from '../media/device';
import type { MediaSignalling } from '../media/MediaSignalling';
import { IceRecovery } from './IceRecovery';

/**
 * Sends the organizer's microphone, and the camera while it is on, over one send transport:
 * speech-tuned Opus and VP8 simulcast. The camera comes and goes (`setCamera`) without touching the
 * sound: the server packages a still picture while there is none.
 */
export class Publisher {
  readonly #transport: types.Transport;
  readonly #device: types.Device;
  readonly #signalling: MediaSignalling;
  readonly #onFailed: (reason: string) => void;
  readonly #iceRecovery: IceRecovery;
  #audio: types.Producer | null = null;
  #video: types.Producer | null = null;
  /** Camera changes one after another: two at once could leave two video producers. */
  #cameraChanges: Promise<void> = Promise.resolve();

  static async open(
    signalling: MediaSignalling,
    routerRtpCapabilities: types.RtpCapabilities,
    tracks: { audio: MediaStreamTrack; video: MediaStreamTrack | null },
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
    const publisher = new Publisher(transport, device, signalling, onFailed);
    try {
      // The tracks belong to the preview, which outlives any one publishing attempt, so producers must not stop them.
      publisher.#audio = publisher.#watch(
        await transport.produce({ track: tracks.audio, codecOptions: opusCodecOptions, stopTracks: false }),
      );
      if (tracks.video) await publisher.setCamera(tracks.video);
    } catch (error) {
      publisher.close();
      throw error;
    }
    return publisher;
  }

  private constructor(transport: types.Transport, device: types.Device, signalling: MediaSignalling, onFailed: (reason: string) => void) {
    this.#transport = transport;
    this.#device = device;
    this.#signalling = signalling;
    this.#onFailed = onFailed;
    // A network drop restarts ICE on this transport; only one that does not heal publishes anew.
    this.#iceRecovery = new IceRecovery(
      transport,
      async () => (await signalling.request('restartIce', { transportId: transport.id })).iceParameters as types.IceParameters,
      onFailed,
    );
  }

  /** The camera track being sent, if any. */
  get cameraTrack(): MediaStreamTrack | null {
    return this.#video?.track ?? null;
  }

  /** Sends `track` as the camera, or (null) stops sending video; the sound goes on either way. */
  setCamera(track: MediaStreamTrack | null): Promise<void> {
    const change = this.#cameraChanges.then(() => this.#setCamera(track));
    this.#cameraChanges = change.catch(() => undefined);
    return change;
  }

  async #setCamera(track: MediaStreamTrack | null): Promise<void> {
    if ((this.#video?.track ?? null) === track) return;
    const previous = this.#video;
    this.#video = null;
    if (previous) {
      previous.close();
      // The server learns of a closed producer only when told; until then viewers keep its last frame.
      await this.#signalling.request('closeProducer', { producerId: previous.id });
    }
    if (!track) return;
    const vp8 = this.#device.sendRtpCapabilities.codecs?.find((codec) => codec.mimeType.toLowerCase() === 'video/vp8');
    this.#video = this.#watch(
      await this.#transport.produce({
        track,
        // produce() takes mutable encodings; the shared ones are a readonly constant.
        encodings: simulcastEncodings.map((encoding) => ({ ...encoding })),
        codec: vp8,
        stopTracks: false,
      }),
    );
  }

  close(): void {
    this.#iceRecovery.close();
    this.#audio?.close();
    this.#video?.close();
    this.#transport.close();
  }

  #watch(producer: types.Producer): types.Producer {
    producer.on('trackended', () => this.#onFailed('The camera or microphone stopped.'));
    return producer;
  }
}
