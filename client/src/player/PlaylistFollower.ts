import { HttpStatusError, fetchMetered } from './fetchMetered';
import { TAIL_OVERLAP_BYTES, appendTail, parseMediaPlaylist, type MediaPlaylist } from './MediaPlaylist';
import type { TransferMeter } from './TransferMeter';

const decoder = new TextDecoder();

/** Loads a media playlist, then reloads only what was appended to it since (see {@link appendTail}). */
export class PlaylistFollower {
  readonly #url: string;
  readonly #meter: TransferMeter;
  #text = '';

  constructor(url: string, meter: TransferMeter) {
    this.#url = url;
    this.#meter = meter;
  }

  async load(signal: AbortSignal): Promise<MediaPlaylist> {
    this.#text = (await this.#tail(signal)) ?? (await this.#whole(signal));
    return parseMediaPlaylist(this.#text, new URL(this.#url, location.href).href);
  }

  async #whole(signal: AbortSignal): Promise<string> {
    return decoder.decode((await fetchMetered(this.#url, this.#meter, { signal })).body);
  }

  /** Null when a tail cannot be had: nothing known yet, a server without ranges, a rewritten file. */
  async #tail(signal: AbortSignal): Promise<string | null> {
    if (this.#text === '') return null;
    const offset = Math.max(0, this.#text.length - TAIL_OVERLAP_BYTES);
    try {
      const { status, body } = await fetchMetered(this.#url, this.#meter, {
        signal,
        headers: { Range: `bytes=${offset}-` },
      });
      const text = decoder.decode(body);
      return status === 206 ? appendTail(this.#text, offset, text) : text;
    } catch (error) {
      // 416: the file is now shorter than what we knew, so it was rewritten.
      if (error instanceof HttpStatusError && error.status === 416) return null;
      throw error;
    }
  }
}
