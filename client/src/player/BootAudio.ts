import { speechRung, type AudioRung } from '../../../shared/ladder';
import { recordingUrls } from '../../../shared/recordingLayout';
import { chooseAudioRung } from './audioRungChoice';
import { BandwidthEstimator } from './BandwidthEstimator';
import {
  firstSegmentIndex,
  lastIndex,
  mergeReload,
  parseMediaPlaylist,
  segmentNumbered,
  type MediaPlaylist,
  type PlaylistSegment,
} from './MediaPlaylist';
import { eventPathways, fetchOnPathways } from './pathwayFetch';
import type { Pathways } from './Pathways';
import { sourceBufferOperation } from './Pipe';
import { SkippedSpans } from './SkippedSpans';
import { TransferMeter } from './TransferMeter';

/** A failed download is tried again after this: a weak link fails often and recovers. */
const RETRY_MS = 1_000;
/** Segments known beyond the next one before the window playlist is worth reloading (as AudioPipe). */
const KNOWN_AHEAD_TO_RELOAD = 2;

/** What the boot path has done, for the app's audio pipe to go on from without a gap or a second download. */
export interface BootHandover {
  /** The one SourceBuffer, in `sequence` mode, its timestamps already placed at playlist time. */
  buffer: SourceBuffer;
  /** The live window as last loaded. */
  playlist: MediaPlaylist;
  /** Media sequence number of the next segment to append. */
  next: number;
  /** The init segment the buffer was given last. */
  appendedInit: string | null;
  /** Playlist time of the first segment appended. */
  startTime: number | null;
  /** Downloads started (or finished) but not appended yet, by URL: the pipe takes them rather than asking again. */
  fetched: Map<string, Promise<Uint8Array<ArrayBuffer>>>;
  /** The spans skipped so far (the boot fell behind the live window), for the pipe to go on crossing. */
  skips: SkippedSpans;
}

type BootState = 'starting' | 'playing' | 'handing over' | 'handed over' | 'closed';

/**
 * The first seconds of a live event's sound, started by the watch page's boot script before the app
 * (React, signalling, the adaptive player: 120 KB, 15 s on a 64 kbps link) is even downloaded: the
 * audio rung's live window, its init segment and a few segments behind the newest, appended to a
 * MediaSource on its own `<audio>` element. It follows the window until the app's `HlsPlayback` takes
 * it over (`takeOver`): the element keeps playing and the audio pipe continues from the next segment.
 * Its downloads measure the link, so the app knows at once whether video can start.
 */
export class BootAudio {
  readonly slug: string;
  readonly element: HTMLAudioElement;
  readonly rung: AudioRung;
  readonly mediaSource = new MediaSource();
  readonly objectUrl: string;
  /** True once sound plays; false when the boot path gave up (nothing live, no Media Source, an error). */
  readonly started: Promise<boolean>;
  readonly #playlistUrl: string;
  /** The page's pathways, which the app's players go on with: a host the boot found blocked stays left. */
  readonly #pathways: Pathways;
  readonly #meter = new TransferMeter();
  readonly #estimator = new BandwidthEstimator();
  readonly #closing = new AbortController();
  readonly #fetched = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  readonly #skips: SkippedSpans;
  readonly #run: Promise<BootHandover>;
  #state: BootState = 'starting';
  #soundBlocked = false;
  #wake: (() => void) | null = null;

  constructor(slug: string) {
    this.slug = slug;
    this.rung = chooseAudioRung({
      current: null,
      estimateBps: null,
      opusPlayable: MediaSource.isTypeSupported(speechRung.mimeType),
      dataSaver: false,
    });
    const urls = recordingUrls(slug);
    this.#pathways = eventPathways(slug);
    this.#playlistUrl = this.rung === speechRung ? urls.liveSpeech : urls.liveAudioOnly;
    this.element = document.createElement('audio');
    this.element.hidden = true;
    this.element.dataset.testid = 'boot-audio';
    this.#skips = new SkippedSpans(this.element);
    this.objectUrl = URL.createObjectURL(this.mediaSource);
    this.element.src = this.objectUrl;
    document.body.append(this.element);
    let started: (value: boolean) => void = () => undefined;
    this.started = new Promise((resolve) => (started = resolve));
    this.#run = this.#follow(() => started(true));
    this.#run.catch(() => {
      started(false);
      // Before any sound nothing is lost: the app starts on its own. After it, the app takes over a failed boot and reopens.
      if (this.#state === 'starting') this.close();
    });
  }

  /** Sound plays and nobody has taken it over yet. */
  get playing(): boolean {
    return this.#state === 'playing';
  }

  /** Still following the event on its own: playing, or loading its first segment. */
  get following(): boolean {
    return this.#state === 'starting' || this.#state === 'playing';
  }

  /** The browser refused sound without a tap: the boot plays muted, and the app asks for the tap. */
  get soundBlocked(): boolean {
    return this.#soundBlocked;
  }

  /** The link as the boot path's own downloads measured it (the lower of a quick and a slow average); null before any. */
  get estimateBps(): number | null {
    return this.#estimator.cautiousBps;
  }

  /**
   * Stops following (after the step under way: an append must not overlap the pipe's) and hands over what
   * the pipe needs to continue. The element, its MediaSource and the downloads stay alive.
   */
  async takeOver(): Promise<BootHandover> {
    if (this.#state === 'closed') throw new Error('The boot audio was closed.');
    this.#state = 'handing over';
    this.#wake?.();
    const handover = await this.#run;
    this.#state = 'handed over';
    this.#stopListeningForTap();
    return handover;
  }

  /** Stops everything and removes the element; idempotent. Also the end of a taken-over boot, by its pipe. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closing.abort();
    this.#wake?.();
    this.#stopListeningForTap();
    this.#skips.close();
    this.element.pause();
    this.element.removeAttribute('src');
    this.element.load();
    this.element.remove();
    URL.revokeObjectURL(this.objectUrl);
    if (current === this) current = null;
  }

  async #follow(onSound: () => void): Promise<BootHandover> {
    const opened = new Promise((resolve) => this.mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    const playlist = await this.#loadPlaylist(null);
    // Nothing live (not started, ended, or an event without it): the app shows why.
    if (playlist.ended || playlist.segments.length === 0) throw new Error('Nothing live to play.');
    await opened;
    const buffer = this.mediaSource.addSourceBuffer(this.rung.mimeType);
    // As the audio pipe does: each segment follows the previous one, placed at playlist time once.
    buffer.mode = 'sequence';
    const handover: BootHandover = {
      buffer,
      playlist,
      next: firstSegmentIndex(playlist, { live: true, startPosition: null }),
      appendedInit: null,
      startTime: null,
      fetched: this.#fetched,
      skips: this.#skips,
    };
    while (this.following) {
      const segment = nextSegment(handover.playlist, handover.next);
      if (!segment) {
        await this.#sleep((handover.playlist.targetDuration * 1000) / 2);
        handover.playlist = await this.#reload(handover.playlist);
        continue;
      }
      let body: Uint8Array<ArrayBuffer>;
      let init: Uint8Array<ArrayBuffer> | null = null;
      try {
        // The init segment and two media segments in flight at once: on a 300 ms round trip, one at a
        // time would leave the link idle half the time (a failed one is forgotten by #fetch).
        const initFetch = segment.initUrl === handover.appendedInit ? null : this.#fetch(segment.initUrl);
        const current = this.#fetch(segment.url);
        const following = segmentNumbered(handover.playlist, segment.index + 1);
        if (following) this.#fetch(following.url).catch(() => undefined);
        init = initFetch === null ? null : await initFetch;
        body = await current;
      } catch {
        if (!this.following) break;
        await this.#sleep(RETRY_MS);
        continue;
      }
      if (init) {
        await sourceBufferOperation(buffer, () => buffer.appendBuffer(init));
        handover.appendedInit = segment.initUrl;
        this.#fetched.delete(segment.initUrl);
      }
      if (handover.startTime === null || segment.discontinuity || segment.index !== handover.next) {
        this.#skips.placing(segment.start);
        buffer.timestampOffset = segment.start;
        handover.startTime ??= segment.start;
      }
      await sourceBufferOperation(buffer, () => buffer.appendBuffer(body));
      this.#skips.cross();
      this.#fetched.delete(segment.url);
      handover.next = segment.index + 1;
      this.#measure();
      if (this.#state === 'starting') {
        this.element.currentTime = handover.startTime;
        await this.#play();
        if (this.#state === 'starting') this.#state = 'playing';
        onSound();
      }
      if (this.following && lastIndex(handover.playlist) + 1 - handover.next <= KNOWN_AHEAD_TO_RELOAD) {
        handover.playlist = await this.#reload(handover.playlist);
      }
    }
    if (this.#state === 'closed') throw new Error('The boot audio was closed.');
    return handover;
  }

  async #loadPlaylist(known: MediaPlaylist | null): Promise<MediaPlaylist> {
    const { body } = await fetchOnPathways(this.#pathways, this.#playlistUrl, this.#meter, { signal: this.#closing.signal });
    const loaded = parseMediaPlaylist(new TextDecoder().decode(body), new URL(this.#playlistUrl, location.href).href);
    return known ? mergeReload(known, loaded) : loaded;
  }

  /** A reload that fails keeps what was known: the next turn tries again. */
  async #reload(known: MediaPlaylist): Promise<MediaPlaylist> {
    try {
      return await this.#loadPlaylist(known);
    } catch {
      return known;
    }
  }

  #fetch(url: string): Promise<Uint8Array<ArrayBuffer>> {
    let fetching = this.#fetched.get(url);
    if (!fetching) {
      const started = fetchOnPathways(this.#pathways, url, this.#meter, { signal: this.#closing.signal }).then(({ body }) => body);
      // A failed download is forgotten, so that the next attempt asks again.
      started.catch(() => {
        if (this.#fetched.get(url) === started) this.#fetched.delete(url);
      });
      this.#fetched.set(url, started);
      fetching = started;
    }
    return fetching;
  }

  #measure(): void {
    const now = performance.now();
    const sample = this.#meter.take(now);
    if (sample) this.#estimator.sample(now, sample.bps);
  }

  /**
   * The app's rule (`playWithSound`): with sound if the browser allows, else muted. The boot has no
   * button to show, so any tap or key on the page gives the sound; once the app is there, its own
   * "Tap to listen" does.
   */
  async #play(): Promise<void> {
    try {
      await this.element.play();
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) return;
      this.#soundBlocked = true;
      this.element.muted = true;
      await this.element.play().catch(() => undefined);
      for (const type of TAP_EVENTS) document.addEventListener(type, this.#onTap, { capture: true });
    }
  }

  readonly #onTap = (): void => {
    this.#stopListeningForTap();
    this.element.muted = false;
    this.element.play().then(
      () => (this.#soundBlocked = false),
      () => (this.element.muted = true),
    );
  };

  #stopListeningForTap(): void {
    for (const type of TAP_EVENTS) document.removeEventListener(type, this.#onTap, { capture: true });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

const TAP_EVENTS = ['pointerdown', 'keydown'] as const;

/** Segment number `next`, or the window's first when the window moved past it (the link fell behind). */
function nextSegment(playlist: MediaPlaylist, next: number): PlaylistSegment | undefined {
  const first = playlist.segments[0];
  return first && next < first.index ? first : segmentNumbered(playlist, next);
}

/** The watch page's event, from its address (`/e/<slug>`); null on any other page. The server judges the slug. */
export function watchPageSlug(pathname: string): string | null {
  return /^\/e\/([a-z0-9-]{1,80})\/?$/.exec(pathname)?.[1] ?? null;
}

let current: BootAudio | null = null;

/** Starts the boot path's sound for the watch page of `slug`, where Media Source Extensions exist. */
export function startBootAudio(slug: string): BootAudio | null {
  if (typeof MediaSource === 'undefined') return null;
  current = new BootAudio(slug);
  return current;
}

/**
 * The boot path's player of `slug` while it follows the event (playing, or still loading its first
 * segment), for the app to take over or close; after that nobody else gets it.
 */
export function takeBootAudio(slug: string): BootAudio | null {
  const boot = current?.slug === slug && current.following ? current : null;
  if (boot) current = null;
  return boot;
}
