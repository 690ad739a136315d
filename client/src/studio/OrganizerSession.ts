import type { types } from 'mediasoup-client';
import { isOver, type FileBroadcastEnd, type FileBroadcastStatus, type PublicEvent } from '../../../shared/events';
import { cameraConstraints } from '../../../shared/media';
import type { RtmpIngestStatus } from '../../../shared/rtmp';
import type { MediaNotification, MediaResponse } from '../../../shared/signalling';
import {
  getRtmpSettings,
  isOrganizerKeyAccepted,
  setEventPicture,
  startFileBroadcast,
  stopFileBroadcast,
  UploadCancelledError,
  type UploadProgress,
} from '../app/api';
import { deviceProblemOf, problemOf, type Problem } from '../lib/Problem';
import { ServiceError } from '../lib/ServiceError';
import { StateStore } from '../lib/StateStore';
import { MediaSignalling } from '../media/MediaSignalling';
import { isNewer } from './eventEdits';
import { Publisher } from './Publisher';
import type { UplinkReport } from './UplinkGuard';

/** `file`: a prepared recording, not the camera, is the event's media; `encoder`: OBS (or another RTMP encoder) is. */
export type PublishState = 'idle' | 'publishing' | 'failed' | 'file' | 'encoder';

export interface OrganizerState {
  connection: 'connecting' | 'connected' | 'reconnecting';
  access: 'pending' | 'granted' | 'rejected' | 'not found';
  event: PublicEvent | null;
  /** The microphone: all going live needs. */
  microphone: MediaStream | null;
  /** Why there is no microphone; null while there is one (or it is being opened). */
  microphoneProblem: Problem | null;
  /** The camera while it is on (its preview); null while off. */
  camera: MediaStream | null;
  cameraProblem: Problem | null;
  /** Opened over plain http from another address: the browser gives this page neither microphone nor camera. */
  insecurePage: boolean;
  /** The camera is being turned on or off. */
  cameraSwitching: boolean;
  publish: PublishState;
  /** The file broadcast under way (playing, or holding its slate after the file), as the server said. */
  fileBroadcast: FileBroadcastStatus | null;
  /**
   * The latest news of the event's RTMP encoder, boxed so that each notification is a new value even
   * when it says the same (RtmpSettings also asks the server itself); null until the first.
   */
  rtmpIngest: { status: RtmpIngestStatus | null } | null;
  /** The picture shown while the camera is off was saved in this visit. */
  pictureSaved: boolean;
  /** A go-live or end request is in flight. */
  busy: boolean;
  problem: Problem | null;
  /** The recorder's (HLS packager's) latest report; null until the first. */
  recording: MediaNotification<'recordingStateChanged'> | null;
  /** Live figures the server sends organizers every few seconds; null until the first. */
  stats: MediaNotification<'eventStats'> | null;
  /** A recording being uploaded to go live with; null when none is. */
  upload: UploadProgress | null;
  /** The uplink as the publisher last measured it; null while not publishing. */
  uplink: UplinkReport | null;
}

const RETRY_DELAY_MS = 5_000;

/** Outside a secure context `navigator.mediaDevices` is absent, so getUserMedia cannot even be asked. */
function canAskForDevices(): boolean {
  return window.isSecureContext && navigator.mediaDevices !== undefined;
}

/**
 * The organizer's side of one event: microphone and camera (each on its own, so that a missing or
 * refused camera still leaves the microphone to go live with, and the camera can be turned on and off
 * mid-event), going live, publishing while live, broadcasting a file, and ending the event.
 */
export class OrganizerSession {
  readonly store = new StateStore<OrganizerState>({
    connection: 'connecting',
    access: 'pending',
    event: null,
    microphone: null,
    microphoneProblem: null,
    camera: null,
    cameraProblem: null,
    insecurePage: false,
    cameraSwitching: false,
    publish: 'idle',
    fileBroadcast: null,
    rtmpIngest: null,
    pictureSaved: false,
    busy: false,
    problem: null,
    recording: null,
    stats: null,
    upload: null,
    uplink: null,
  });
  readonly #slug: string;
  readonly #key: string;
  readonly #signalling = new MediaSignalling();
  readonly #unsubscribes: Array<() => void>;
  readonly #microphone: Promise<MediaStream | null>;
  #publisher: Publisher | null = null;
  #upload: AbortController | null = null;
  /** Bumped on every teardown so that setup still in flight from before notices and gives up. */
  #generation = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(slug: string, key: string) {
    this.#slug = slug;
    this.#key = key;
    if (canAskForDevices()) {
      this.#microphone = navigator.mediaDevices.getUserMedia({ audio: true }).then(
        (microphone) => {
          if (this.#closed) stopTracks(microphone);
          else this.store.update({ microphone });
          return microphone;
        },
        (error: unknown) => {
          this.store.update({ microphoneProblem: deviceProblemOf(error) });
          return null;
        },
      );
      void this.setCamera(true);
    } else {
      this.#microphone = Promise.resolve(null);
      // The organizer may be testing over http: the camera's problem says why, and what to do instead.
      this.store.update({ cameraProblem: { kind: 'device', failure: 'insecure' }, insecurePage: true });
    }
    const signalling = this.#signalling;
    this.#unsubscribes = [
      signalling.onConnect(() => void this.#join()),
      signalling.onDisconnect((serverDropped) => {
        this.#stopPublishing();
        this.store.update({ connection: 'reconnecting', publish: 'idle' });
        if (serverDropped) void this.#checkKey();
      }),
      signalling.on('eventUpdated', (event) => this.adoptEvent(event)),
      signalling.on('reconnect', () => void this.#join()),
      signalling.on('recordingStateChanged', (recording) => this.store.update({ recording })),
      signalling.on('fileBroadcastChanged', ({ fileBroadcast }) => {
        const { publish } = this.store.get();
        this.store.update({ fileBroadcast, publish: fileBroadcast ? 'file' : publish === 'file' ? 'idle' : publish });
      }),
      signalling.on('eventStats', (stats) => this.store.update({ stats })),
      signalling.on('rtmpIngestChanged', ({ rtmpIngest }) => this.#onEncoder(rtmpIngest)),
    ];
  }

  /** Shows the event as the server last described it (a notice, or the answer to an edit), unless it is older. */
  adoptEvent(event: PublicEvent): void {
    if (!isNewer(this.store.get().event, event)) return;
    this.store.update({ event });
    if (isOver(event.status)) {
      this.#stopPublishing();
      this.store.update({ publish: 'idle' });
    }
  }

  async goLive(): Promise<void> {
    await this.#command(async () => {
      const { event, routerRtpCapabilities } = await this.#signalling.request('goLive', {});
      this.store.update({ event });
      void this.#publish(routerRtpCapabilities as types.RtpCapabilities, this.#generation);
    });
  }

  async endEvent(): Promise<void> {
    await this.#command(async () => {
      const event = await this.#signalling.request('endEvent', {});
      this.#stopPublishing();
      this.store.update({ event, publish: 'idle' });
    });
  }

  /**
   * Turns the camera on (asking the browser for it) or off (releasing it), live or not: while live the
   * sound goes on, and viewers see the still picture while the camera is off.
   */
  async setCamera(on: boolean): Promise<void> {
    const { camera, cameraSwitching } = this.store.get();
    if (cameraSwitching || on === (camera !== null)) return;
    this.store.update({ cameraSwitching: true, cameraProblem: null });
    try {
      if (on) {
        const opened = await navigator.mediaDevices.getUserMedia({ video: cameraConstraints });
        if (this.#closed) {
          stopTracks(opened);
          return;
        }
        this.store.update({ camera: opened });
        await this.#publisher?.setCamera(liveVideoTrack(opened));
      } else if (camera) {
        this.store.update({ camera: null });
        // The producer first: a track stopped under a live producer would read as a failure.
        await this.#publisher?.setCamera(null);
        stopTracks(camera);
      }
    } catch (error) {
      this.store.update({ cameraProblem: deviceProblemOf(error) });
    } finally {
      this.store.update({ cameraSwitching: false });
    }
  }

  /** Saves the picture shown while the camera is off (the server refuses anything but a picture). */
  async setPicture(picture: File): Promise<void> {
    await this.#command(async () => {
      await setEventPicture(this.#key, this.#slug, picture);
      this.store.update({ pictureSaved: true });
    });
  }

  /** Uploads a recording and goes live with it instead of the camera. */
  async broadcastFile(media: File, image: File | null, atEnd: FileBroadcastEnd): Promise<void> {
    await this.#command(async () => {
      const upload = new AbortController();
      this.#upload = upload;
      this.store.update({ upload: { sentBytes: 0, totalBytes: media.size + (image?.size ?? 0) } });
      try {
        await startFileBroadcast(this.#key, this.#slug, { media, image, atEnd }, {
          onProgress: (progress) => this.store.update({ upload: progress }),
          signal: upload.signal,
        });
      } catch (error) {
        if (error instanceof UploadCancelledError) return;
        throw error;
      } finally {
        this.#upload = null;
        this.store.update({ upload: null });
      }
      this.#stopPublishing();
      this.store.update({ publish: 'file' });
    });
  }

  /** Abandons the upload under way: the server drops what it received, and nothing else changes. */
  cancelUpload(): void {
    this.#upload?.abort();
  }

  /** Stops the file and publishes the camera again. */
  async useCamera(): Promise<void> {
    await this.#command(async () => {
      await stopFileBroadcast(this.#key, this.#slug);
      await this.#join();
    });
  }

  /** Joining again republishes when the event is live, on a fresh transport. */
  retry(): void {
    void this.#join();
  }

  /**
   * An encoder publishing takes over from this tab's microphone and camera (the organizer chose OBS;
   * two senders would talk over each other). When it drops, this tab does not start sending by itself:
   * the organizer reconnects the encoder, or asks for the microphone ({@link retry}).
   */
  #onEncoder(status: RtmpIngestStatus | null): void {
    const { publish } = this.store.get();
    if (status?.state === 'receiving') {
      this.#stopPublishing();
      this.store.update({ rtmpIngest: { status }, publish: 'encoder' });
    } else {
      this.store.update({ rtmpIngest: { status }, publish: publish === 'encoder' ? 'idle' : publish });
    }
  }

  close(): void {
    this.#closed = true;
    this.cancelUpload();
    this.#stopPublishing();
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#signalling.close();
    this.store.clearListeners();
    void this.#microphone.then((microphone) => {
      if (microphone) stopTracks(microphone);
    });
    const { camera } = this.store.get();
    if (camera) stopTracks(camera);
  }

  /**
   * The server drops an organizer whose key was rotated or revoked elsewhere, and nothing reconnects after
   * that: asking over REST lets this tab ask for a key instead of showing "reconnecting" forever.
   */
  async #checkKey(): Promise<void> {
    let accepted: boolean;
    try {
      accepted = await isOrganizerKeyAccepted(this.#key, this.#slug);
    } catch {
      return; // Unreachable server: the tab stays "reconnecting", as for any other outage.
    }
    if (!accepted && !this.#closed) this.store.update({ access: 'rejected' });
  }

  async #command(run: () => Promise<void>): Promise<void> {
    if (this.store.get().busy) return;
    this.store.update({ busy: true, problem: null });
    try {
      await run();
    } catch (error) {
      this.store.update({ problem: problemOf(error) });
    } finally {
      this.store.update({ busy: false });
    }
  }

  async #join(): Promise<void> {
    this.#stopPublishing();
    const generation = this.#generation;
    this.store.update({ connection: 'connected', publish: 'idle', problem: null });
    let joined: MediaResponse<'join'>;
    try {
      joined = await this.#signalling.request('join', { slug: this.#slug, key: this.#key });
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof ServiceError && (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN')) {
        this.store.update({ access: 'rejected' });
      } else if (error instanceof ServiceError && error.code === 'NOT_FOUND') {
        this.store.update({ access: 'not found' });
      } else {
        this.store.update({ problem: problemOf(error) });
        this.#retrySoon();
      }
      return;
    }
    if (generation !== this.#generation) return;
    if (joined.role !== 'organizer') {
      this.store.update({ access: 'rejected' });
      return;
    }
    this.store.update({ access: 'granted', event: joined.event, fileBroadcast: joined.fileBroadcast });
    if (joined.fileBroadcast) {
      this.store.update({ publish: 'file' });
      return;
    }
    if (joined.event.status === 'live' && joined.routerRtpCapabilities !== null) {
      // An encoder may be what is live: this tab then only watches over it (see #onEncoder).
      const encoder = await getRtmpSettings(this.#key, this.#slug).then((settings) => settings.status, () => null);
      if (generation !== this.#generation) return;
      if (encoder?.state === 'receiving') {
        this.#onEncoder(encoder);
        return;
      }
      await this.#publish(joined.routerRtpCapabilities as types.RtpCapabilities, generation);
    }
  }

  async #publish(routerRtpCapabilities: types.RtpCapabilities, generation: number): Promise<void> {
    const microphone = await this.#microphone;
    if (generation !== this.#generation) return;
    const audio = microphone?.getAudioTracks()[0];
    if (!audio) {
      this.store.update({ publish: 'failed', problem: { kind: 'publish', failure: 'noMicrophone' } });
      return;
    }
    const onFailed = (cause: Problem) => {
      if (generation !== this.#generation) return;
      this.#stopPublishing();
      this.store.update({ publish: 'failed', problem: { kind: 'retrying', cause } });
      this.#retrySoon();
    };
    let publisher: Publisher;
    try {
      publisher = await Publisher.open(
        this.#signalling,
        routerRtpCapabilities,
        { audio, video: this.#cameraTrack() },
        onFailed,
        (uplink) => {
          if (generation === this.#generation) this.store.update({ uplink });
        },
      );
    } catch (error) {
      onFailed(problemOf(error));
      return;
    }
    if (generation !== this.#generation) {
      publisher.close();
      return;
    }
    this.#publisher = publisher;
    this.store.update({ publish: 'publishing' });
    // The camera turned on or off while the publisher was being opened.
    if (publisher.cameraTrack !== this.#cameraTrack()) {
      await publisher.setCamera(this.#cameraTrack()).catch((error: unknown) => onFailed(problemOf(error)));
    }
  }

  #cameraTrack(): MediaStreamTrack | null {
    const { camera } = this.store.get();
    return camera ? liveVideoTrack(camera) : null;
  }

  /** While disconnected there is nothing to schedule: reconnecting joins again by itself. */
  #retrySoon(): void {
    if (this.#signalling.connected) this.#retryTimer = setTimeout(() => void this.#join(), RETRY_DELAY_MS);
  }

  #stopPublishing(): void {
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    this.#publisher?.close();
    this.#publisher = null;
    this.store.update({ uplink: null });
  }
}

/** A camera unplugged mid-event leaves an ended track, which could not be sent again. */
function liveVideoTrack(stream: MediaStream): MediaStreamTrack | null {
  return stream.getVideoTracks().find((track) => track.readyState === 'live') ?? null;
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
