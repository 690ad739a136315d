import fs from 'node:fs/promises';
import path from 'node:path';
import { recordingFiles } from '../../shared/recordingLayout';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import type { MediaRoom } from '../sfu/MediaRoom';
import type { RtpTap } from '../sfu/RtpTap';
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
/**
 * After a failure for a full disk, the free space is looked at this often instead of backing off: the
 * recording restarts as soon as there is room again, not seconds later at the next backed-off attempt.
 */
const ROOM_CHECK_MS = 250;
/** Room for a few segments of every rung: less, and ffmpeg would fail again at once. */
const MIN_FREE_BYTES = 8 * 1024 * 1024;
/** Keyframe requests after a start, in case the first one raced ffmpeg's start-up. */
const KEYFRAME_RETRIES_MS = [1_000, 2_500];

/** The picture that stands in for the camera when the organizer sends sound alone (see EventStills). */
export type StillSource = (slug: string) => Promise<string>;

/**
 * Packages one live event's media into the HLS ladder: consumes the room's producers into ffmpeg,
 * restarts ffmpeg when it dies or when the organizer's producers change, and keeps the public
 * playlists composed from every run. Sound without a camera is packaged over a still picture, so the
 * ladder keeps its video rungs and the poster: turning the camera on or off is a producer change like
 * any other, a new run after a discontinuity, and no segment already written changes.
 */
export class HlsPackager extends SafeEmitter<HlsPackagerEvents> {
  readonly slug: string;
  readonly dir: string;
  readonly composer: PlaylistComposer;
  readonly #room: MediaRoom;
  readonly #logger: Logger;
  readonly #still: StillSource | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  #run: PackagerRun | undefined;
  #input: RtpTap | undefined;
  #state: RecordingState = 'idle';
  #crashes = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Serialises restarts and the final stop: two ffmpeg processes must never write at once. */
  #queue: Promise<void> = Promise.resolve();
  #composing: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;
  #progress: Progress = { segments: 0, at: Date.now() };
  #lastError: string | undefined;
  readonly #composeTimer: NodeJS.Timeout;

  constructor(slug: string, room: MediaRoom, dir: string, logger: Logger, still?: StillSource) {
    const packagerLogger = logger.child({ slug, module: 'packager' });
    super(packagerLogger);
    this.slug = slug;
    this.#still = still;
    this.#room = room;
    this.dir = dir;
    this.#logger = packagerLogger;
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

  /**
   * The still picture changed: a run packaging the old one (the organizer sends sound alone) starts
   * again with the new one, after a discontinuity like any other run change. A camera's run goes on.
   */
  stillChanged(): void {
    if (this.#input && !this.#input.hasVideo) this.#scheduleRestart(0);
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
    if (this.#room.producers().length === 0 || this.#room.closed) {
      this.#setState('idle');
      return;
    }
    this.#setState('restarting');
    try {
      const input = await this.#room.openRtpTap();
      this.#input = input;
      const number = ((await this.composer.runs()).at(-1) ?? -1) + 1;
      const stillFile = input.hasVideo ? undefined : await this.#stillFile();
      const run = await PackagerRun.start(number, input, this.dir, path.join(this.dir, recordingFiles.poster), stillFile, this.#logger);
      this.#run = run;
      run.once('crashed', () => this.#onCrash(run));
      await delay(LISTEN_DELAY_MS);
      await input.start();
      for (const ms of KEYFRAME_RETRIES_MS) this.#later(ms, () => void input.requestKeyFrame().catch(() => undefined));
      this.#later(30_000, () => {
        if (this.#run === run) this.#crashes = 0;
      });
      this.#logger.info({ run: number, video: input.hasVideo, still: stillFile !== undefined, audio: input.hasAudio }, 'packager run started');
      this.#progress = { segments: this.#progress.segments, at: Date.now() };
      this.#setState('running');
    } catch (error) {
      this.#logger.error({ err: error }, 'packager could not start');
      await this.#stopRun();
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#retryAfterFailure();
    }
  }

  /** Without a picture (it could not be made) the run carries sound only, as it would with no still at all. */
  async #stillFile(): Promise<string | undefined> {
    try {
      return await this.#still?.(this.slug);
    } catch (error) {
      this.#logger.warn({ err: error }, 'no still picture for the sound-only ladder; packaging sound only');
      return undefined;
    }
  }

  #onCrash(run: PackagerRun): void {
    if (this.#run !== run) return;
    this.#retryAfterFailure();
  }

  #retryAfterFailure(): void {
    const why = this.#run?.stderr ?? this.#lastError;
    const { state, delayMs } = afterFailure(this.#crashes);
    this.#setState(state, state === 'failed' ? failureMessage(why) : null);
    this.#crashes++;
    if (isDiskFull(why)) this.#restartWhenRoom();
    else this.#scheduleRestart(delayMs);
  }

  /** Restarts once the recording's disk has room again (a new run: nothing written is touched). */
  #restartWhenRoom(): void {
    this.#later(ROOM_CHECK_MS, () => {
      void freeBytes(this.dir).then((free) => {
        if (this.#state === 'stopped') return;
        if (free >= MIN_FREE_BYTES) this.#scheduleRestart(0);
        else this.#restartWhenRoom();
      });
    });
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
    const { progress, stalled } = assessProgress(this.#progress, segments, this.#state === 'running', Date.now());
    this.#progress = progress;
    if (stalled) {
      this.#logger.warn({ segments, stderr: this.#run?.stderr }, 'packager made no progress; restarting it');
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

/** After `failuresBefore` failures in a row and one more: what the organizer is told and when to try again. */
export function afterFailure(failuresBefore: number): { state: 'failed' | 'restarting'; delayMs: number } {
  return {
    state: failuresBefore + 1 >= FAILURES_BEFORE_FAILED ? 'failed' : 'restarting',
    delayMs: RESTART_DELAYS_MS[Math.min(failuresBefore, RESTART_DELAYS_MS.length - 1)]!,
  };
}

/** The segment count last seen to change, and when. */
export interface Progress {
  segments: number;
  at: number;
}

/**
 * Whether a run is hung: running, yet no new segment for longer than {@link STALL_MS}. A stall starts
 * the clock again, so a packager that stays hung is restarted once per stall period, not on every check.
 */
export function assessProgress(last: Progress, segments: number, running: boolean, now: number): { progress: Progress; stalled: boolean } {
  if (segments !== last.segments || !running) return { progress: { segments, at: now }, stalled: false };
  if (now - last.at > STALL_MS) return { progress: { segments, at: now }, stalled: true };
  return { progress: last, stalled: false };
}

/** Whether ffmpeg's last words (or the error starting it) say the disk is full. */
export function isDiskFull(stderr: string | undefined): boolean {
  return stderr !== undefined && /No space left on device|ENOSPC/i.test(stderr);
}

/** Bytes free for the server in the file system holding `dir`; 0 when that cannot be read. */
async function freeBytes(dir: string): Promise<number> {
  const stats = await fs.statfs(dir).catch(() => undefined);
  return stats ? stats.bavail * stats.bsize : 0;
}

/** What an organizer can act on, from ffmpeg's last words: a full disk reads differently from a crash. */
function failureMessage(stderr: string | undefined): string {
  if (isDiskFull(stderr)) return 'the disk is full: the recording has stopped';
  if (stderr && /Permission denied|Read-only file system/i.test(stderr)) return 'the data directory is not writable';
  return 'the recorder keeps failing; WebRTC viewers are not affected';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
