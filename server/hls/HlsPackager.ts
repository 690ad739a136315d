import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Logger } from '../logger';
import type { MediaRoom } from '../sfu/MediaRoom';
import { PackagerInput } from './PackagerInput';
import { PackagerRun } from './PackagerRun';
import { PlaylistComposer } from './PlaylistComposer';

import type { RecordingState } from '../../shared/signalling';

export interface HlsPackagerEvents {
  /** `message` says what went wrong when the state is `failed`. */
  state: [state: RecordingState, message: string | null];
}

/** Producers come one by one as the organizer publishes; wait for the set to settle before encoding. */
const SETTLE_MS = 800;
/** ffmpeg binds its RTP ports while reading the SDP; give it that long before media flows. */
const LISTEN_DELAY_MS = 400;
const COMPOSE_INTERVAL_MS = 500;
const RESTART_DELAYS_MS = [500, 1_000, 2_000, 5_000];
/** A running ffmpeg that writes no segment for this long is hung (e.g. it never got decodable media). */
const STALL_MS = 15_000;
/** After this many failures in a row the organizer is told recording has failed (retries go on). */
const FAILURES_BEFORE_FAILED = 3;
/** Keyframe requests after a start, in case the first one raced ffmpeg's start-up. */
const KEYFRAME_RETRIES_MS = [1_000, 2_500];

export const POSTER_FILE = 'poster.jpg';

/**
 * Packages one live event's media into the HLS ladder: consumes the room's producers into ffmpeg,
 * restarts ffmpeg when it dies or when the organizer's producers change, and keeps the public
 * playlists composed from every run.
 */
export class HlsPackager extends EventEmitter<HlsPackagerEvents> {
  readonly slug: string;
  readonly dir: string;
  readonly composer: PlaylistComposer;
  readonly #room: MediaRoom;
  readonly #logger: Logger;
  readonly #timers = new Set<NodeJS.Timeout>();
  #run: PackagerRun | undefined;
  #input: PackagerInput | undefined;
  #state: RecordingState = 'idle';
  #crashes = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Serialises restarts and the final stop: two ffmpeg processes must never write at once. */
  #queue: Promise<void> = Promise.resolve();
  #composing: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;
  #segments = 0;
  #lastError: string | undefined;
  #progressAt = Date.now();
  readonly #composeTimer: NodeJS.Timeout;

  constructor(slug: string, room: MediaRoom, dir: string, logger: Logger) {
    super();
    this.slug = slug;
    this.#room = room;
    this.dir = dir;
    this.#logger = logger.child({ slug, module: 'packager' });
    this.composer = new PlaylistComposer(dir);
    room.on('producerAdded', this.#onProducersChanged);
    room.on('producerClosed', this.#onProducersChanged);
    this.#composeTimer = setInterval(() => void this.#compose(false), COMPOSE_INTERVAL_MS);
    if (room.producers().length > 0) this.#scheduleRestart(SETTLE_MS);
  }

  get state(): RecordingState {
    return this.#state;
  }

  get pid(): number | undefined {
    return this.#run?.pid;
  }

  /** Stops packaging; with `ended`, the playlists become a finished recording. The first call decides. */
  stop({ ended }: { ended: boolean }): Promise<void> {
    this.#stopped ??= this.#stop(ended);
    return this.#stopped;
  }

  #stop(ended: boolean): Promise<void> {
    this.#room.off('producerAdded', this.#onProducersChanged);
    this.#room.off('producerClosed', this.#onProducersChanged);
    clearInterval(this.#composeTimer);
    clearTimeout(this.#restartTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    return this.#enqueue(async () => {
      await this.#stopRun();
      await this.#compose(ended);
      this.#setState('stopped');
    });
  }

  readonly #onProducersChanged = (): void => this.#scheduleRestart(SETTLE_MS);

  #scheduleRestart(delayMs: number): void {
    if (this.#state === 'stopped') return;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => void this.#enqueue(() => this.#restart()), delayMs);
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'packager task failed');
    });
    return this.#queue;
  }

  async #restart(): Promise<void> {
    if (this.#state === 'stopped') return;
    await this.#stopRun();
    const producers = this.#room.producers().flatMap(({ producerId }) => this.#room.getProducer(producerId) ?? []);
    if (producers.length === 0 || this.#room.closed) {
      this.#setState('idle');
      return;
    }
    this.#setState('restarting');
    try {
      const input = await PackagerInput.create(this.#room, producers);
      this.#input = input;
      const number = ((await this.composer.runs()).at(-1) ?? -1) + 1;
      const run = await PackagerRun.start(number, input, this.dir, path.join(this.dir, POSTER_FILE), this.#logger);
      this.#run = run;
      run.once('crashed', () => this.#onCrash(run));
      await delay(LISTEN_DELAY_MS);
      await input.start();
      for (const ms of KEYFRAME_RETRIES_MS) this.#later(ms, () => void input.requestKeyFrame().catch(() => undefined));
      this.#later(30_000, () => {
        if (this.#run === run) this.#crashes = 0;
      });
      this.#logger.info({ run: number, video: input.hasVideo, audio: input.hasAudio }, 'packager run started');
      this.#progressAt = Date.now();
      this.#setState('running');
    } catch (error) {
      this.#logger.error({ err: error }, 'packager could not start');
      await this.#stopRun();
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#retryAfterFailure();
    }
  }

  #onCrash(run: PackagerRun): void {
    if (this.#run !== run) return;
    this.#retryAfterFailure();
  }

  #retryAfterFailure(): void {
    if (this.#crashes + 1 >= FAILURES_BEFORE_FAILED) this.#setState('failed', failureMessage(this.#run?.stderr ?? this.#lastError));
    else this.#setState('restarting');
    const delayMs = RESTART_DELAYS_MS[Math.min(this.#crashes, RESTART_DELAYS_MS.length - 1)]!;
    this.#crashes++;
    this.#scheduleRestart(delayMs);
  }

  async #stopRun(): Promise<void> {
    const run = this.#run;
    const input = this.#input;
    this.#run = undefined;
    this.#input = undefined;
    await run?.stop();
    input?.close();
  }

  /** Chained, so a periodic live compose can never land after the final VOD one. */
  #compose(ended: boolean): Promise<void> {
    this.#composing = this.#composing
      .then(async () => this.#checkProgress(await this.composer.compose({ ended })))
      .catch((error: unknown) => this.#logger.error({ err: error }, 'composing playlists failed'));
    return this.#composing;
  }

  #checkProgress(segments: number): void {
    const now = Date.now();
    if (segments !== this.#segments || this.#state !== 'running') {
      this.#segments = segments;
      this.#progressAt = now;
    } else if (now - this.#progressAt > STALL_MS) {
      this.#logger.warn({ segments, stderr: this.#run?.stderr }, 'packager made no progress; restarting it');
      this.#progressAt = now;
      this.#retryAfterFailure();
    }
  }

  #later(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      task();
    }, ms);
    this.#timers.add(timer);
  }

  #setState(state: RecordingState, message: string | null = null): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state, message);
  }
}

/** What an organizer can act on, from ffmpeg's last words: a full disk reads differently from a crash. */
function failureMessage(stderr: string | undefined): string {
  if (stderr && /No space left on device/i.test(stderr)) return 'the disk is full: the recording has stopped';
  if (stderr && /Permission denied|Read-only file system/i.test(stderr)) return 'the data directory is not writable';
  return 'the recorder keeps failing; WebRTC viewers are not affected';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
