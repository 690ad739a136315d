import { fetchOnPathways } from './pathwayFetch';
import type { Pathways } from './Pathways';
import type { TransferMeter } from './TransferMeter';

/** The server refreshes the poster every 5 s; asking more often brings nothing new. */
const MIN_INTERVAL_MS = 6_000;
/** Even a collapsed link gets a fresh picture (and a fresh measurement) this often: 5 KB in 20 s is 2 kbps. */
const MAX_INTERVAL_MS = 20_000;
/** The still picture may take this share of the link; the speech needs the rest. */
const LINK_SHARE = 0.05;

/**
 * The still picture of the stage shown in audio-only mode, refreshed as often as the link can spare
 * (every 6 s on a good link, every ~20 s at 40 kbps for a 5 KB JPEG). Its downloads also feed the
 * meter, which is how a WebRTC attendee in audio-only mode learns the link has recovered.
 */
export class PosterFeed {
  readonly #url: string;
  readonly #meter: TransferMeter;
  readonly #estimateBps: () => number | null;
  readonly #onPoster: (objectUrl: string | null) => void;
  readonly #refresh: boolean;
  readonly #linkIsFree: () => boolean;
  readonly #pathways: Pathways;
  #objectUrl: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | null = null;
  #lastBytes = 8_000;
  #running = false;

  constructor(options: {
    url: string;
    meter: TransferMeter;
    estimateBps: () => number | null;
    onPoster: (objectUrl: string | null) => void;
    /** False for a finished recording, whose poster never changes. */
    refresh: boolean;
    /** False while the sound needs every byte (its buffer is low): the picture waits. */
    linkIsFree?: () => boolean;
    /** Where the event's files are fetched from, shared with the page's other players. */
    pathways: Pathways;
  }) {
    this.#pathways = options.pathways;
    this.#url = options.url;
    this.#meter = options.meter;
    this.#estimateBps = options.estimateBps;
    this.#onPoster = options.onPoster;
    this.#refresh = options.refresh;
    this.#linkIsFree = options.linkIsFree ?? (() => true);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#refresh || this.#objectUrl === null) void this.#fetch();
  }

  /** Stops refreshing; the last picture stays available for the next start. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort?.abort();
  }

  close(): void {
    this.stop();
    if (this.#objectUrl !== null) URL.revokeObjectURL(this.#objectUrl);
    this.#objectUrl = null;
  }

  async #fetch(): Promise<void> {
    if (!this.#linkIsFree()) {
      this.#timer = setTimeout(() => void this.#fetch(), MIN_INTERVAL_MS);
      return;
    }
    this.#abort = new AbortController();
    try {
      // Cache-busted: an HTTP cache between us and the server may hold on to an old stage picture.
      const { body } = await fetchOnPathways(this.#pathways, `${this.#url}?t=${Date.now()}`, this.#meter, { signal: this.#abort.signal });
      if (!this.#running) return;
      this.#lastBytes = body.byteLength;
      if (this.#objectUrl !== null) URL.revokeObjectURL(this.#objectUrl);
      this.#objectUrl = URL.createObjectURL(new Blob([body], { type: 'image/jpeg' }));
      this.#onPoster(this.#objectUrl);
    } catch {
      // No poster yet (an event without video), or the link failed: the next attempt may do better.
    }
    this.#abort = null;
    if (this.#running && this.#refresh) this.#timer = setTimeout(() => void this.#fetch(), this.#interval());
  }

  #interval(): number {
    const estimate = this.#estimateBps();
    if (estimate === null || estimate <= 0) return MAX_INTERVAL_MS;
    const wanted = (this.#lastBytes * 8 * 1000) / (estimate * LINK_SHARE);
    return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, wanted));
  }
}
