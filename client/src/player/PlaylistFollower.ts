import { fetchOnPathways } from './pathwayFetch';
import type { Pathways } from './Pathways';
import { listsFrom, mergeReload, parseMediaPlaylist, type MediaPlaylist } from './MediaPlaylist';
import type { TransferMeter } from './TransferMeter';

const decoder = new TextDecoder();

export interface PlaylistUrls {
  /** The whole event's playlist: a finished recording's, or a live event's for going back in time. */
  whole: string;
  /** A live event's window of its newest segments, reloaded to follow it; null for a recording. */
  window: string | null;
}

/**
 * Follows a live event through its window playlist, whose every load is a few hundred bytes however long
 * the rally has run, and keeps what earlier loads listed; the whole playlist is loaded only when the
 * listener goes back before what the window listed (or for a recording, once).
 */
export class PlaylistFollower {
  readonly #urls: PlaylistUrls;
  readonly #meter: TransferMeter;
  readonly #pathways: Pathways;
  #playlist: MediaPlaylist | null = null;

  constructor(urls: PlaylistUrls, meter: TransferMeter, pathways: Pathways) {
    this.#urls = urls;
    this.#meter = meter;
    this.#pathways = pathways;
  }

  /** The newest segments, joined to those known; the whole playlist when there is no window. */
  async load(signal: AbortSignal): Promise<MediaPlaylist> {
    if (this.#urls.window === null) return this.#loadWhole(signal);
    const reloaded = await this.#fetch(this.#urls.window, signal);
    this.#playlist = this.#playlist ? mergeReload(this.#playlist, reloaded) : reloaded;
    return this.#playlist;
  }

  /** Goes on from a playlist loaded elsewhere (the watch page's boot path): reloads join it. */
  adopt(playlist: MediaPlaylist): MediaPlaylist {
    this.#playlist = playlist;
    return playlist;
  }

  /** A playlist that lists `time`: what is known when it does, else the whole playlist. */
  async loadFrom(time: number, signal: AbortSignal): Promise<MediaPlaylist> {
    if (this.#playlist && listsFrom(this.#playlist, time)) return this.#playlist;
    return this.#loadWhole(signal);
  }

  async #loadWhole(signal: AbortSignal): Promise<MediaPlaylist> {
    const whole = await this.#fetch(this.#urls.whole, signal);
    // The window may have been loaded after the whole playlist was written: keep what it adds.
    this.#playlist = this.#playlist ? mergeReload(whole, this.#playlist) : whole;
    return this.#playlist;
  }

  async #fetch(url: string, signal: AbortSignal): Promise<MediaPlaylist> {
    const text = decoder.decode((await fetchOnPathways(this.#pathways, url, this.#meter, { signal })).body);
    // Parsed against the origin's address whatever pathway answered: segments are moved at each fetch.
    return parseMediaPlaylist(text, new URL(url, location.href).href);
  }
}
