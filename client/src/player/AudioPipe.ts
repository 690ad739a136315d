import { Emitter } from './Emitter';
import { HttpStatusError, fetchMetered } from './fetchMetered';
import { segmentAt, type MediaPlaylist, type PlaylistSegment } from './MediaPlaylist';
import { bufferedAhead, bufferedCovers, type Pipe, type PipeEvents } from './Pipe';
import { PlaylistFollower } from './PlaylistFollower';
import type { TransferMeter } from './TransferMeter';

/** The audio-only rung is AAC-LC (server/hls/ladder.ts, AUDIO_CODEC). */
const AUDIO_MIME = 'audio/mp4; codecs="mp4a.40.2"';
/** A live start this many segments behind the newest leaves room to buffer against a slow link. */
const LIVE_START_SEGMENTS = 3;
/** Audio costs about 4 KB a second: a long buffer is cheap insurance. */
const BUFFER_AHEAD_SECONDS = 30;
const BACK_BUFFER_SECONDS = 60;
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000];
/** A segment missing this many times over is skipped: the rest of the speech matters more. */
const SEGMENT_ATTEMPTS = 4;
/** No new segment for this many target durations means the source stopped. */
const IDLE_AFTER_TARGETS = 3;

export interface AudioPipeOptions {
  live: boolean;
  /** Playlist seconds to start from; null starts near the live edge (live) or at the beginning. */
  startPosition: number | null;
}

/**
 * Plays the audio-only rung through Media Source Extensions with a few hundred lines of our own rather
 * than hls.js, for three reasons: hls.js drops an audio-only variant listed next to video ones; on
 * 40 kbps its 120 KB would take half a minute to download before the first word; and a weak link needs
 * patience hls.js does not have (retry forever, follow a growing playlist by its tail).
 */
export class AudioPipe extends Emitter<PipeEvents> implements Pipe {
  readonly mode = 'audio' as const;
  readonly element: HTMLMediaElement;
  readonly #follower: PlaylistFollower;
  readonly #meter: TransferMeter;
  readonly #options: AudioPipeOptions;
  readonly #mediaSource = new MediaSource();
  readonly #objectUrl: string;
  readonly #closing = new AbortController();
  /** Aborted to drop the segment being fetched when the listener seeks elsewhere. */
  #segmentAbort = new AbortController();
  #wake: (() => void) | null = null;
  #loading = true;
  #seekTo: number | null = null;
  #startTime: number | null = null;
  #idle = false;
  #trouble = false;

  constructor(element: HTMLMediaElement, playlistUrl: string, meter: TransferMeter, options: AudioPipeOptions) {
    super();
    this.element = element;
    this.#meter = meter;
    this.#options = options;
    this.#follower = new PlaylistFollower(playlistUrl, meter);
    this.#objectUrl = URL.createObjectURL(this.#mediaSource);
    element.src = this.#objectUrl;
    element.addEventListener('seeking', this.#onSeeking);
    this.#run().catch((error: unknown) => {
      if (!this.#closed) this.emit('failed', error instanceof Error ? error.message : String(error));
    });
  }

  get startTime(): number | null {
    return this.#startTime;
  }

  covers(time: number): boolean {
    return bufferedCovers(this.element, time);
  }

  stopLoading(): void {
    this.#loading = false;
    this.#segmentAbort.abort();
  }

  resumeLoading(): void {
    this.#loading = true;
    this.#wakeUp();
  }

  close(): void {
    if (this.#closed) return;
    this.#closing.abort();
    this.#segmentAbort.abort();
    this.#wakeUp();
    this.element.removeEventListener('seeking', this.#onSeeking);
    this.element.removeAttribute('src');
    this.element.load();
    URL.revokeObjectURL(this.#objectUrl);
    this.removeAllListeners();
  }

  get #closed(): boolean {
    return this.#closing.signal.aborted;
  }

  readonly #onSeeking = (): void => {
    if (this.covers(this.element.currentTime)) return;
    this.#seekTo = this.element.currentTime;
    this.#segmentAbort.abort();
    this.#wakeUp();
  };

  async #run(): Promise<void> {
    await new Promise((resolve) => this.#mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    if (this.#closed) return;
    const buffer = this.#mediaSource.addSourceBuffer(AUDIO_MIME);
    // Each segment follows the previous one wherever its timestamps say; a discontinuity needs no care.
    buffer.mode = 'sequence';
    let playlist = await this.#withRetries(() => this.#follower.load(this.#closing.signal));
    if (playlist.ended) this.#mediaSource.duration = playlist.duration;
    let next = this.#firstIndex(playlist);
    let appendedInit: string | null = null;
    let realign = true;
    let grownAt = performance.now();
    let attempts = 0;
    while (!this.#closed) {
      if (this.#seekTo !== null) {
        next = segmentAt(playlist, this.#seekTo)?.index ?? next;
        this.#seekTo = null;
        realign = true;
        if (buffer.updating) buffer.abort();
        continue;
      }
      const segment = playlist.segments[next];
      if (!this.#loading || (segment && bufferedAhead(this.element) > BUFFER_AHEAD_SECONDS)) {
        await this.#sleep(1_000);
        continue;
      }
      if (!segment) {
        if (playlist.ended) {
          if (this.#mediaSource.readyState === 'open' && !buffer.updating) this.#mediaSource.endOfStream();
          await this.#sleep(1_000);
          continue;
        }
        await this.#sleep((playlist.targetDuration * 1000) / 2);
        const known = playlist.segments.length;
        playlist = await this.#withRetries(() => this.#follower.load(this.#closing.signal));
        if (playlist.segments.length > known) grownAt = performance.now();
        this.#setIdle(performance.now() - grownAt > playlist.targetDuration * 1000 * IDLE_AFTER_TARGETS);
        continue;
      }
      try {
        this.#segmentAbort = new AbortController();
        const signal = AbortSignal.any([this.#closing.signal, this.#segmentAbort.signal]);
        if (segment.initUrl !== appendedInit) {
          await this.#append(buffer, (await fetchMetered(segment.initUrl, this.#meter, { signal })).body);
          appendedInit = segment.initUrl;
        }
        const { body } = await fetchMetered(segment.url, this.#meter, { signal });
        if (realign || segment.discontinuity) this.#realign(buffer, segment);
        realign = false;
        await this.#append(buffer, body);
        this.#placePlayhead();
        this.#setTrouble(false);
        attempts = 0;
        next += 1;
        this.emit('buffered');
      } catch (error) {
        if (this.#closed || this.#seekTo !== null || !this.#loading) continue;
        attempts += 1;
        this.#setTrouble(true);
        if (error instanceof HttpStatusError && error.status === 404 && attempts >= SEGMENT_ATTEMPTS) {
          next += 1;
          realign = true;
          attempts = 0;
        } else {
          await this.#sleep(retryDelay(attempts));
        }
      }
    }
  }

  #firstIndex(playlist: MediaPlaylist): number {
    const { startPosition, live } = this.#options;
    if (startPosition !== null) return segmentAt(playlist, startPosition)?.index ?? 0;
    return live && !playlist.ended ? Math.max(0, playlist.segments.length - LIVE_START_SEGMENTS) : 0;
  }

  /** Places the next segment at its playlist time, so positions agree with the video pipe's. */
  #realign(buffer: SourceBuffer, segment: PlaylistSegment): void {
    buffer.timestampOffset = segment.start;
    this.#startTime ??= segment.start;
  }

  /**
   * A fresh element's playhead sits at 0, outside what was buffered: put it where loading began, so
   * "buffered ahead" means ahead of the right place (and a first start needs no seek by its owner).
   */
  #placePlayhead(): void {
    const target = Math.max(this.#options.startPosition ?? 0, this.#startTime ?? 0);
    if (this.element.currentTime === 0 && this.covers(target)) this.element.currentTime = target;
  }

  async #append(buffer: SourceBuffer, data: Uint8Array<ArrayBuffer>): Promise<void> {
    try {
      await this.#bufferOperation(buffer, () => buffer.appendBuffer(data));
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'QuotaExceededError')) throw error;
      await this.#evict(buffer, 0);
      await this.#bufferOperation(buffer, () => buffer.appendBuffer(data));
    }
    await this.#evict(buffer, BACK_BUFFER_SECONDS);
  }

  /** Frees memory on long replays: what was heard more than `keepSeconds` ago. */
  async #evict(buffer: SourceBuffer, keepSeconds: number): Promise<void> {
    const until = this.element.currentTime - keepSeconds;
    if (buffer.buffered.length === 0 || buffer.buffered.start(0) >= until - 10) return;
    await this.#bufferOperation(buffer, () => buffer.remove(0, until));
  }

  #bufferOperation(buffer: SourceBuffer, start: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        buffer.removeEventListener('updateend', done);
        buffer.removeEventListener('error', failed);
        resolve();
      };
      const failed = () => {
        buffer.removeEventListener('updateend', done);
        buffer.removeEventListener('error', failed);
        reject(new Error('The browser could not decode the audio.'));
      };
      buffer.addEventListener('updateend', done);
      buffer.addEventListener('error', failed);
      try {
        start();
      } catch (error) {
        buffer.removeEventListener('updateend', done);
        buffer.removeEventListener('error', failed);
        reject(error);
      }
    });
  }

  /** Weak links fail often and recover: a playlist request is retried for as long as the pipe lives. */
  async #withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let failures = 0; ; failures++) {
      try {
        const result = await attempt();
        this.#setTrouble(false);
        return result;
      } catch (error) {
        if (this.#closed) throw error;
        this.#setTrouble(true);
        await this.#sleep(retryDelay(failures + 1));
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  #wakeUp(): void {
    this.#wake?.();
  }

  #setIdle(idle: boolean): void {
    if (idle === this.#idle) return;
    this.#idle = idle;
    this.emit('idle', idle);
  }

  #setTrouble(trouble: boolean): void {
    if (trouble === this.#trouble) return;
    this.#trouble = trouble;
    this.emit('trouble', trouble);
  }
}

function retryDelay(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]!;
}
