import { SEGMENT_SECONDS, type AudioRung } from '../../../shared/ladder';
import type { BootAudio } from './BootAudio';
import { Emitter } from './Emitter';
import { HttpStatusError } from './fetchMetered';
import { firstSegmentIndex, lastIndex, segmentAt, segmentNumbered, type MediaPlaylist, type PlaylistSegment } from './MediaPlaylist';
import { bufferedAhead, bufferedCovers, sourceBufferOperation, type EventTimeline, type Pipe, type PipeEvents } from './Pipe';
import { fetchOnPathways } from './pathwayFetch';
import type { Pathways } from './Pathways';
import { PlaylistFollower, type PlaylistUrls } from './PlaylistFollower';
import { SkippedSpans } from './SkippedSpans';
import type { TransferMeter } from './TransferMeter';

/** Audio costs about 4 KB a second: a long buffer is cheap insurance. */
const BUFFER_AHEAD_SECONDS = 30;
const BACK_BUFFER_SECONDS = 60;
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000];
/** A segment missing this many times over is skipped: the rest of the speech matters more. */
const SEGMENT_ATTEMPTS = 4;
/** Reloads of a live playlist are skipped while this many segments beyond the next are already known. */
const KNOWN_AHEAD_TO_SKIP_RELOAD = 2;
/** No new segment for this many target durations means the source stopped. */
const IDLE_AFTER_TARGETS = 3;
/** A change of rung whose playlist could not be loaded is not tried again for this long. */
const RUNG_RETRY_MS = 10_000;

/** One audio-only rung and where its playlist is. */
export interface AudioSource {
  rung: AudioRung;
  playlists: PlaylistUrls;
}

export interface AudioPipeOptions {
  live: boolean;
  /** Playlist seconds to start from; null starts near the live edge (live) or at the beginning. */
  startPosition: number | null;
  /**
   * The watch page's boot audio to go on from (its element is the one given): its MediaSource,
   * SourceBuffer, playlist and downloads are taken over, so nothing is fetched twice.
   */
  boot?: BootAudio;
  /** Where the event's files are fetched from (the origin or a mirror), shared with the page's other players. */
  pathways: Pathways;
}

/**
 * Plays the audio-only rung through Media Source Extensions with a few hundred lines of our own rather
 * than hls.js, for three reasons: hls.js drops an audio-only variant listed next to video ones; on
 * 40 kbps its 120 KB would take half a minute to download before the first word; and a weak link needs
 * patience hls.js does not have (retry forever, follow a live event by its small window playlist).
 */
export class AudioPipe extends Emitter<PipeEvents> implements Pipe {
  readonly mode = 'audio' as const;
  readonly element: HTMLMediaElement;
  #follower: PlaylistFollower;
  #source: AudioSource;
  /** The rung to change to at the next segment boundary; the same as #source when none is wanted. */
  #wanted: AudioSource;
  #rungFailedAt = -Infinity;
  readonly #meter: TransferMeter;
  readonly #options: AudioPipeOptions;
  readonly #mediaSource: MediaSource;
  readonly #objectUrl: string;
  /** The boot path's downloads not appended yet, by URL. */
  #handed = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  /** Spans skipped for good on the element's timeline, once there is a buffer to place segments in. */
  #skips: SkippedSpans | null = null;
  readonly #closing = new AbortController();
  /** Aborted to drop the segments being fetched when the listener seeks elsewhere or loading stops. */
  #segmentAbort = new AbortController();
  /** Segment fetches under way, by media sequence number. */
  readonly #inflight = new Map<number, Promise<Uint8Array<ArrayBuffer>>>();
  #wake: (() => void) | null = null;
  #loading = true;
  #seekTo: number | null = null;
  #startTime: number | null = null;
  #playlist: MediaPlaylist = { targetDuration: SEGMENT_SECONDS, segments: [], ended: false, duration: 0 };
  /** Media sequence number of the next segment to append. */
  #next = 0;
  #idle = false;
  #trouble = false;

  constructor(element: HTMLMediaElement, source: AudioSource, meter: TransferMeter, options: AudioPipeOptions) {
    super();
    this.element = element;
    this.#meter = meter;
    this.#options = options;
    this.#source = source;
    this.#wanted = source;
    this.#follower = new PlaylistFollower(source.playlists, meter, options.pathways);
    if (options.boot) {
      this.#mediaSource = options.boot.mediaSource;
      this.#objectUrl = options.boot.objectUrl;
    } else {
      this.#mediaSource = new MediaSource();
      this.#objectUrl = URL.createObjectURL(this.#mediaSource);
      element.src = this.#objectUrl;
    }
    element.addEventListener('seeking', this.#onSeeking);
    this.#run().catch((error: unknown) => {
      if (!this.#closed) this.emit('failed', error instanceof Error ? error.message : String(error));
    });
  }

  /** Segments are placed at their playlist time (see #realign): the element's timeline is the event's. */
  get timeline(): EventTimeline {
    return this.element;
  }

  get startTime(): number | null {
    return this.#startTime;
  }

  /** The rung playing (or, before the first segment, about to). */
  get rung(): AudioRung {
    return this.#source.rung;
  }

  /**
   * Plays `source` from the next segment on. What is buffered stays: the one SourceBuffer changes its
   * codec (changeType) between two segments, so a change of rung costs no sound already downloaded.
   */
  setSource(source: AudioSource): void {
    if (source.rung === this.#wanted.rung) return;
    // Changing back before the change was made: nothing to do.
    if (source.rung === this.#source.rung) this.#wanted = this.#source;
    else if (performance.now() - this.#rungFailedAt >= RUNG_RETRY_MS) this.#wanted = source;
    this.#wakeUp();
  }

  covers(time: number): boolean {
    return bufferedCovers(this.element, time);
  }

  stopLoading(): void {
    this.#loading = false;
    this.#dropFetches();
  }

  resumeLoading(): void {
    this.#loading = true;
    this.#wakeUp();
  }

  close(): void {
    if (this.#closed) return;
    this.#closing.abort();
    this.#dropFetches();
    this.#wakeUp();
    this.element.removeEventListener('seeking', this.#onSeeking);
    this.element.removeAttribute('src');
    this.element.load();
    URL.revokeObjectURL(this.#objectUrl);
    this.#skips?.close();
    // Its element was the boot path's own, outside the page's stage: it goes with the pipe.
    this.#options.boot?.close();
    this.removeAllListeners();
  }

  get #closed(): boolean {
    return this.#closing.signal.aborted;
  }

  readonly #onSeeking = (): void => {
    if (this.covers(this.element.currentTime)) return;
    this.#seekTo = this.element.currentTime;
    this.#dropFetches();
    this.#wakeUp();
  };

  async #run(): Promise<void> {
    const { boot } = this.#options;
    const opened = boot ? await this.#continueBoot(boot) : await this.#open();
    if (opened === null) return;
    const { buffer } = opened;
    let { appendedInit } = opened;
    if (this.#playlist.ended) this.#mediaSource.duration = this.#playlist.duration;
    else void this.#follow();
    // The boot path placed its segments at playlist time already.
    let realign = this.#startTime === null;
    let attempts = 0;
    while (!this.#closed) {
      if (this.#seekTo !== null) {
        const seekTo = this.#seekTo;
        // Going back before a live window: the whole playlist lists it.
        this.#playlist = await this.#withRetries(() => this.#follower.loadFrom(seekTo, this.#closing.signal));
        if (this.#seekTo !== seekTo) continue;
        this.#next = segmentAt(this.#playlist, seekTo)?.index ?? this.#next;
        this.#seekTo = null;
        realign = true;
        if (buffer.updating) buffer.abort();
        continue;
      }
      if (this.#wanted !== this.#source) {
        if (await this.#changeRung(buffer)) {
          appendedInit = null;
          realign = true;
        }
        continue;
      }
      const step = nextStep(this.#playlist, this.#next, this.#loading, bufferedAhead(this.element));
      if (step.action === 'wait') {
        if (step.endOfStream && this.#mediaSource.readyState === 'open' && !buffer.updating) this.#mediaSource.endOfStream();
        // Woken early when the playlist grows or loading resumes.
        await this.#sleep(step.ms);
        continue;
      }
      const { segment, following } = step;
      try {
        if (segment.initUrl !== appendedInit) {
          await this.#append(buffer, await (this.#handedOver(segment.initUrl) ?? this.#download(segment.initUrl)));
          appendedInit = segment.initUrl;
        }
        const current = this.#fetchSegment(segment);
        if (following) this.#fetchSegment(following).catch(() => undefined);
        const body = await current;
        this.#inflight.delete(segment.index);
        if (realign || segment.discontinuity || segment.index !== this.#next) this.#realign(buffer, segment);
        realign = false;
        await this.#append(buffer, body);
        this.#placePlayhead();
        this.#skips?.cross();
        this.#setTrouble(false);
        attempts = 0;
        this.#next = segment.index + 1;
        this.emit('buffered');
      } catch (error) {
        this.#inflight.delete(segment.index);
        if (this.#closed || this.#seekTo !== null || !this.#loading) continue;
        attempts += 1;
        this.#setTrouble(true);
        if (skipsMissingSegment(error, attempts)) {
          this.#next = segment.index + 1;
          realign = true;
          attempts = 0;
        } else {
          await this.#sleep(retryDelay(attempts));
        }
      }
    }
  }

  /** A fresh MediaSource: its SourceBuffer once open, and the playlist from where to begin. */
  async #open(): Promise<{ buffer: SourceBuffer; appendedInit: string | null } | null> {
    await new Promise((resolve) => this.#mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    if (this.#closed) return null;
    const buffer = this.#mediaSource.addSourceBuffer(this.#source.rung.mimeType);
    // Each segment follows the previous one wherever its timestamps say; a discontinuity needs no care.
    buffer.mode = 'sequence';
    this.#skips = new SkippedSpans(this.element);
    const { startPosition } = this.#options;
    this.#playlist = await this.#withRetries(async () => {
      const playlist = await this.#follower.load(this.#closing.signal);
      return startPosition === null ? playlist : this.#follower.loadFrom(startPosition, this.#closing.signal);
    });
    this.#next = firstSegmentIndex(this.#playlist, this.#options);
    return { buffer, appendedInit: null };
  }

  /** Goes on where the boot path stopped: its buffer, playlist, next segment and downloads. */
  async #continueBoot(boot: BootAudio): Promise<{ buffer: SourceBuffer; appendedInit: string | null } | null> {
    const handover = await boot.takeOver();
    if (this.#closed) return null;
    this.#playlist = this.#follower.adopt(handover.playlist);
    this.#next = handover.next;
    this.#startTime = handover.startTime;
    this.#handed = handover.fetched;
    this.#skips = handover.skips;
    return { buffer: handover.buffer, appendedInit: handover.appendedInit };
  }

  /**
   * Reloads a live playlist every target duration, alongside the segment loads rather than in turn
   * with them: on a slow link, waiting for the playlist only when the known segments run out is a
   * stall of a round trip or two every time.
   */
  async #follow(): Promise<void> {
    let grownAt = performance.now();
    while (!this.#closed && !this.#playlist.ended) {
      const { targetDuration } = this.#playlist;
      const known = lastIndex(this.#playlist);
      await new Promise((resolve) => setTimeout(resolve, targetDuration * 1000));
      if (this.#closed || !this.#loading || !reloadWanted(known, this.#next)) continue;
      try {
        this.#playlist = await this.#follower.load(this.#closing.signal);
      } catch {
        continue;
      }
      if (lastIndex(this.#playlist) > known || this.#playlist.ended) {
        grownAt = performance.now();
        this.#wakeUp();
      }
      this.#setIdle(sourceIdle(performance.now(), grownAt, targetDuration));
    }
  }

  /**
   * Follows the wanted rung's playlist from where the current one's next segment begins: every rung is
   * cut on the same boundaries by the same ffmpeg, so the playlists' times agree. False (and the
   * current rung kept) when the new playlist could not be loaded.
   */
  async #changeRung(buffer: SourceBuffer): Promise<boolean> {
    const source = this.#wanted;
    const from = segmentNumbered(this.#playlist, this.#next)?.start ?? this.#playlist.duration;
    const follower = new PlaylistFollower(source.playlists, this.#meter, this.#options.pathways);
    let playlist: MediaPlaylist;
    try {
      await follower.load(this.#closing.signal);
      playlist = await follower.loadFrom(from, this.#closing.signal);
    } catch {
      this.#rungFailedAt = performance.now();
      this.#wanted = this.#source;
      return false;
    }
    if (this.#closed || this.#wanted !== source) return false;
    this.#dropFetches();
    if (buffer.updating) await new Promise((resolve) => buffer.addEventListener('updateend', resolve, { once: true }));
    buffer.changeType(source.rung.mimeType);
    this.#source = source;
    this.#follower = follower;
    this.#playlist = playlist;
    this.#next = segmentIndexFrom(playlist, from);
    return true;
  }

  /** Places the next segment at its playlist time, so positions agree with the video pipe's. */
  #realign(buffer: SourceBuffer, segment: PlaylistSegment): void {
    this.#skips?.placing(segment.start);
    buffer.timestampOffset = segment.start;
    this.#startTime ??= segment.start;
  }

  #fetchSignal(): AbortSignal {
    return AbortSignal.any([this.#closing.signal, this.#segmentAbort.signal]);
  }

  #fetchSegment(segment: PlaylistSegment): Promise<Uint8Array<ArrayBuffer>> {
    let fetching = this.#inflight.get(segment.index);
    if (!fetching) {
      fetching = this.#handedOver(segment.url) ?? this.#download(segment.url);
      this.#inflight.set(segment.index, fetching);
    }
    return fetching;
  }

  #download(url: string): Promise<Uint8Array<ArrayBuffer>> {
    return fetchOnPathways(this.#options.pathways, url, this.#meter, { signal: this.#fetchSignal() }).then(({ body }) => body);
  }

  /** A download the boot path started, taken once: a retry asks the network again. */
  #handedOver(url: string): Promise<Uint8Array<ArrayBuffer>> | undefined {
    const handed = this.#handed.get(url);
    this.#handed.delete(url);
    return handed;
  }

  #dropFetches(): void {
    this.#segmentAbort.abort();
    this.#segmentAbort = new AbortController();
    this.#inflight.clear();
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
      await sourceBufferOperation(buffer, () => buffer.appendBuffer(data));
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'QuotaExceededError')) throw error;
      await this.#evict(buffer, 0);
      await sourceBufferOperation(buffer, () => buffer.appendBuffer(data));
    }
    await this.#evict(buffer, BACK_BUFFER_SECONDS);
  }

  /** Frees memory on long replays: what was heard more than `keepSeconds` ago. */
  async #evict(buffer: SourceBuffer, keepSeconds: number): Promise<void> {
    const until = this.element.currentTime - keepSeconds;
    if (buffer.buffered.length === 0 || buffer.buffered.start(0) >= until - 10) return;
    await sourceBufferOperation(buffer, () => buffer.remove(0, until));
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

/** The first segment that ends after `time` (a frame's slack for rungs whose frames differ in length). */
export function segmentIndexFrom(playlist: MediaPlaylist, time: number): number {
  return playlist.segments.find((s) => s.start + s.duration > time + 0.05)?.index ?? lastIndex(playlist) + 1;
}

export type AudioStep =
  /** Nothing to fetch now; at the end of a finished playlist, the stream is ended first. */
  | { action: 'wait'; ms: number; endOfStream: boolean }
  /** `following` is fetched alongside when it shares the initialisation segment. */
  | { action: 'fetch'; segment: PlaylistSegment; following: PlaylistSegment | null };

/**
 * What to do about segment number `next`, given whether loading is wanted and how much is buffered
 * ahead. A live window that moved past `next` (the listener fell behind it) goes on from its first.
 */
export function nextStep(playlist: MediaPlaylist, next: number, loading: boolean, bufferedAheadSeconds: number): AudioStep {
  const first = playlist.segments[0];
  const segment = first && next < first.index ? first : segmentNumbered(playlist, next);
  if (!loading || (segment && bufferedAheadSeconds > BUFFER_AHEAD_SECONDS)) {
    return { action: 'wait', ms: 1_000, endOfStream: false };
  }
  if (!segment) return { action: 'wait', ms: playlist.targetDuration * 1000, endOfStream: playlist.ended };
  // Two requests in flight: on a 400 ms round trip, waiting for each answer before asking for the
  // next costs as much as the transfer itself, and the buffer would never grow.
  const following = segmentNumbered(playlist, segment.index + 1);
  return { action: 'fetch', segment, following: following?.initUrl === segment.initUrl ? following : null };
}

/** A live playlist reload can wait while segments are known well ahead of the next one: its bytes go to sound. */
export function reloadWanted(lastKnown: number, next: number): boolean {
  return lastKnown + 1 - next <= KNOWN_AHEAD_TO_SKIP_RELOAD;
}

/** The source stopped when the playlist has not grown for a few target durations. */
export function sourceIdle(nowMs: number, grownAtMs: number, targetDurationSeconds: number): boolean {
  return nowMs - grownAtMs > targetDurationSeconds * 1000 * IDLE_AFTER_TARGETS;
}

/** A segment still missing after several attempts is skipped: the rest of the speech matters more. */
export function skipsMissingSegment(error: unknown, attempts: number): boolean {
  return error instanceof HttpStatusError && error.status === 404 && attempts >= SEGMENT_ATTEMPTS;
}

export function retryDelay(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]!;
}
