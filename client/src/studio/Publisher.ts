import type { types } from 'mediasoup-client';
import { opusCodecOptions, SIMULCAST_LAYER_COUNT, simulcastEncodings } from '../../../shared/media';
import { problemOf, type Problem } from '../lib/Problem';
import { createTransport, loadDevice } from '../media/device';
import type { MediaSignalling } from '../media/MediaSignalling';
import { IceRecovery } from './IceRecovery';
import { UplinkGuard, type UplinkReport } from './UplinkGuard';
import type { StatsEntry } from './uplinkStats';

/**
 * The sound goes first on a congested uplink: the browser queues and paces it ahead of video, and marks
 * its packets for networks that honour priorities (DSCP).
 */
const AUDIO_ENCODINGS = [{ priority: 'high', networkPriority: 'high' }] as const;

/**
 * Sends the organizer's microphone, and the camera while it is on, over one send transport:
 * speech-tuned Opus and VP8 simulcast. The camera comes and goes (`setCamera`) without touching the
 * sound: the server packages a still picture while there is none. The `UplinkGuard` sends only the
 * simulcast layers the uplink carries, and no video at all (as if the camera were off) when it carries
 * only the sound.
 */
export class Publisher {
  readonly #transport: types.Transport;
  readonly #device: types.Device;
  readonly #signalling: MediaSignalling;
  readonly #onFailed: (cause: Problem) => void;
  readonly #iceRecovery: IceRecovery;
  #audio: types.Producer | null = null;
  #video: types.Producer | null = null;
  /** The camera the organizer turned on; sent only while the uplink allows video. */
  #camera: MediaStreamTrack | null = null;
  readonly #guard: UplinkGuard;
  /** Camera changes one after another: two at once could leave two video producers. */
  #cameraChanges: Promise<void> = Promise.resolve();

  static async open(
    signalling: MediaSignalling,
    routerRtpCapabilities: types.RtpCapabilities,
    tracks: { audio: MediaStreamTrack; video: MediaStreamTrack | null },
    onFailed: (cause: Problem) => void,
    onUplink: (report: UplinkReport) => void = () => undefined,
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
    const publisher = new Publisher(transport, device, signalling, onFailed, onUplink);
    try {
      // The tracks belong to the preview, which outlives any one publishing attempt, so producers must not stop them.
      publisher.#audio = publisher.#watch(
        await transport.produce({
          track: tracks.audio,
          codecOptions: opusCodecOptions,
          encodings: AUDIO_ENCODINGS.map((encoding) => ({ ...encoding })),
          stopTracks: false,
        }),
      );
      if (tracks.video) await publisher.setCamera(tracks.video);
    } catch (error) {
      publisher.close();
      throw error;
    }
    return publisher;
  }

  private constructor(
    transport: types.Transport,
    device: types.Device,
    signalling: MediaSignalling,
    onFailed: (cause: Problem) => void,
    onUplink: (report: UplinkReport) => void,
  ) {
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
    this.#guard = new UplinkGuard(
      async () => [...(await transport.getStats()).values()] as StatsEntry[],
      () => void this.#syncVideo().catch((error: unknown) => onFailed(problemOf(error))),
      onUplink,
    );
  }

  /** The camera track this publisher was given (sent while the uplink allows), if any. */
  get cameraTrack(): MediaStreamTrack | null {
    return this.#camera;
  }

  /** Sends `track` as the camera, or (null) stops sending video; the sound goes on either way. */
  setCamera(track: MediaStreamTrack | null): Promise<void> {
    this.#camera = track;
    this.#guard.setVideoWanted(track !== null);
    return this.#syncVideo();
  }

  /** Makes the video producer follow the camera and the layers the uplink allows. */
  #syncVideo(): Promise<void> {
    const change = this.#cameraChanges.then(() => this.#sendVideo(this.#guard.layers > 0 ? this.#camera : null, this.#guard.layers));
    this.#cameraChanges = change.catch(() => undefined);
    return change;
  }

  async #sendVideo(track: MediaStreamTrack | null, layers: number): Promise<void> {
    if ((this.#video?.track ?? null) === track) {
      // Unsent layers cost nothing: the browser stops encoding an inactive encoding.
      if (this.#video && (this.#video.maxSpatialLayer ?? SIMULCAST_LAYER_COUNT - 1) !== layers - 1) await this.#video.setMaxSpatialLayer(layers - 1);
      return;
    }
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
        // produce() takes mutable encodings; the shared ones are a readonly constant. Layers the uplink
        // does not carry start inactive.
        encodings: simulcastEncodings.map((encoding, index) => ({ ...encoding, active: index < layers })),
        codec: vp8,
        stopTracks: false,
      }),
    );
  }

  close(): void {
    this.#iceRecovery.close();
    this.#guard.close();
    this.#audio?.close();
    this.#video?.close();
    this.#transport.close();
  }

  #watch(producer: types.Producer): types.Producer {
    producer.on('trackended', () => this.#onFailed({ kind: 'publish', failure: 'trackEnded' }));
    return producer;
  }
}
