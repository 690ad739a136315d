import type { types } from 'mediasoup-client';
import type { PublicEvent } from '../../../shared/events';
import { cameraConstraints } from '../../../shared/media';
import type { MediaNotification, MediaResponse } from '../../../shared/signalling';
import {
  isOrganizerKeyAccepted,
  startFileBroadcast,
  stopFileBroadcast,
  UploadCancelledError,
  type UploadProgress,
} from '../app/api';
import { ServiceError, describeError } from '../lib/ServiceError';
import { StateStore } from '../lib/StateStore';
import { MediaSignalling } from '../media/MediaSignalling';
import { Publisher } from './Publisher';

/** `file`: a prepared recording, not the camera, is the event's media. */
export type PublishState = 'idle' | 'publishing' | 'failed' | 'file';

export interface OrganizerState {
  connection: 'connecting' | 'connected' | 'reconnecting';
  access: 'pending' | 'granted' | 'rejected' | 'not found';
  event: PublicEvent | null;
  camera: MediaStream | null;
  cameraProblem: string | null;
  publish: PublishState;
  /** A go-live or end request is in flight. */
  busy: boolean;
  problem: string | null;
  /** The recorder's (HLS packager's) latest report; null until the first. */
  recording: MediaNotification<'recordingStateChanged'> | null;
  /** Live figures the server sends organizers every few seconds; null until the first. */
  stats: MediaNotification<'eventStats'> | null;
  /** A recording being uploaded to go live with; null when none is. */
  upload: UploadProgress | null;
}

const RETRY_DELAY_MS = 5_000;

/** Why the camera cannot be opened on this page, shown as it is: the organizer may be testing over http. */
const INSECURE_PAGE_CAMERA_PROBLEM =
  'browsers give the camera and microphone only to secure pages (https://, or localhost), and this page was opened over plain http. ' +
  'Serve Jalsa over HTTPS (nginx with TLS, see the README’s deployment notes) to go live from this browser, ' +
  'or go live with a prepared recording below, which works over http too.';

async function openCamera(): Promise<MediaStream> {
  // Outside a secure context `navigator.mediaDevices` is absent, so getUserMedia cannot even be asked.
  if (!window.isSecureContext || !navigator.mediaDevices) throw new Error(INSECURE_PAGE_CAMERA_PROBLEM);
  return navigator.mediaDevices.getUserMedia({ audio: true, video: cameraConstraints });
}

/** The organizer's side of one event: camera preview, going live, publishing while live, and ending it. */
export class OrganizerSession {
  readonly store = new StateStore<OrganizerState>({
    connection: 'connecting',
    access: 'pending',
    event: null,
    camera: null,
    cameraProblem: null,
    publish: 'idle',
    busy: false,
    problem: null,
    recording: null,
    stats: null,
    upload: null,
  });
  readonly #slug: string;
  readonly #key: string;
  readonly #signalling = new MediaSignalling();
  readonly #unsubscribes: Array<() => void>;
  readonly #camera: Promise<MediaStream | null>;
  #publisher: Publisher | null = null;
  #upload: AbortController | null = null;
  /** Bumped on every teardown so that setup still in flight from before notices and gives up. */
  #generation = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(slug: string, key: string) {
    this.#slug = slug;
    this.#key = key;
    this.#camera = openCamera().then(
      (camera) => {
        if (!this.#closed) this.store.update({ camera });
        return camera;
      },
      (error: unknown) => {
        this.store.update({ cameraProblem: `Camera or microphone unavailable: ${describeError(error)}` });
        return null;
      },
    );
    const signalling = this.#signalling;
    this.#unsubscribes = [
      signalling.onConnect(() => void this.#join()),
      signalling.onDisconnect((serverDropped) => {
        this.#stopPublishing();
        this.store.update({ connection: 'reconnecting', publish: 'idle' });
        if (serverDropped) void this.#checkKey();
      }),
      signalling.on('eventUpdated', (event) => {
        this.store.update({ event });
        if (event.status === 'ended') {
          this.#stopPublishing();
          this.store.update({ publish: 'idle' });
        }
      }),
      signalling.on('reconnect', () => void this.#join()),
      signalling.on('recordingStateChanged', (recording) => this.store.update({ recording })),
      signalling.on('eventStats', (stats) => this.store.update({ stats })),
    ];
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

  /** Uploads a recording and goes live with it instead of the camera. */
  async broadcastFile(media: File, image: File | null): Promise<void> {
    await this.#command(async () => {
      const upload = new AbortController();
      this.#upload = upload;
      this.store.update({ upload: { sentBytes: 0, totalBytes: media.size + (image?.size ?? 0) } });
      try {
        await startFileBroadcast(this.#key, this.#slug, media, image, {
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

  close(): void {
    this.#closed = true;
    this.cancelUpload();
    this.#stopPublishing();
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#signalling.close();
    this.store.clearListeners();
    void this.#camera.then((camera) => {
      if (camera) stopTracks(camera);
    });
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
      this.store.update({ problem: describeError(error) });
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
        this.store.update({ problem: describeError(error) });
        this.#retrySoon();
      }
      return;
    }
    if (generation !== this.#generation) return;
    if (joined.role !== 'organizer') {
      this.store.update({ access: 'rejected' });
      return;
    }
    this.store.update({ access: 'granted', event: joined.event });
    if (joined.fileBroadcast) {
      this.store.update({ publish: 'file' });
      return;
    }
    if (joined.event.status === 'live' && joined.routerRtpCapabilities !== null) {
      await this.#publish(joined.routerRtpCapabilities as types.RtpCapabilities, generation);
    }
  }

  async #publish(routerRtpCapabilities: types.RtpCapabilities, generation: number): Promise<void> {
    const camera = await this.#camera;
    if (generation !== this.#generation) return;
    if (camera === null) {
      this.store.update({
        publish: 'failed',
        problem: 'Nothing to publish: the camera and microphone are unavailable.',
      });
      return;
    }
    const onFailed = (reason: string) => {
      if (generation !== this.#generation) return;
      this.#stopPublishing();
      this.store.update({ publish: 'failed', problem: `${reason} Retrying…` });
      this.#retrySoon();
    };
    let publisher: Publisher;
    try {
      publisher = await Publisher.open(this.#signalling, routerRtpCapabilities, camera, onFailed);
    } catch (error) {
      onFailed(`Could not start publishing: ${describeError(error)}`);
      return;
    }
    if (generation !== this.#generation) {
      publisher.close();
      return;
    }
    this.#publisher = publisher;
    this.store.update({ publish: 'publishing' });
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
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
