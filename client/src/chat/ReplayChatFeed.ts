import { ChatReplayPage, type ReplayMessage } from '../../../shared/chat';
import { codeForStatus } from '../app/api';
import { problemOf, type Problem } from '../lib/Problem';
import { ServiceError } from '../lib/ServiceError';
import { StateStore } from '../lib/StateStore';

/** How many messages up to the playback position are shown. */
export const SHOWN_REPLAY_MESSAGES = 50;
const PAGE_SIZE = 200;
/** Loaded messages this long before the position are kept for small seeks back. */
const LOOKBACK_MS = 2 * 60_000;
/** The next page is fetched when the position comes this close to the end of what is loaded. */
const PREFETCH_MS = 60_000;
/** Playback jumping further than this past what is loaded starts over there instead of paging up to it. */
const JUMP_MS = 5 * 60_000;
/** After a failed request, paging ahead waits this long rather than asking again at every time update. */
const RETRY_MS = 5_000;
/** Past this many loaded messages, those long before the position are let go. */
const KEEP_LOADED = 2000;

export interface ReplayChatState {
  shown: readonly ReplayMessage[];
  problem: Problem | null;
}

/**
 * The chat of a recorded event following a playback position: after a seek it loads the last screenful
 * of messages up to the position, then pages ahead of it from `/api/events/:slug/chat` as it plays.
 */
export class ReplayChatFeed {
  readonly store = new StateStore<ReplayChatState>({ shown: [], problem: null });
  readonly #slug: string;
  readonly #url: string;
  /** Sorted by offset; complete from #loadedFrom up to the last one. */
  #loaded: ReplayMessage[] = [];
  #loadedFrom = Infinity;
  /** Where paging ahead starts after a seek, and the cursor once it has begun. */
  #aheadFrom = 0;
  #next: number | null = null;
  #exhausted = false;
  #loading = false;
  #retryAt = 0;
  #position = 0;
  /** Bumped on every seek that reloads, so that a page requested before it is dropped when it arrives. */
  #generation = 0;
  #closed = false;

  /** `url` is the server's origin; the page's own when empty. */
  constructor(slug: string, url = '') {
    this.#slug = slug;
    this.#url = url;
  }

  /** Follows the playback position, in milliseconds from the event's start. */
  seek(positionMs: number): void {
    this.#position = Math.max(0, Math.floor(positionMs));
    const end = this.#loaded.at(-1)?.offsetMs ?? this.#loadedFrom;
    if (this.#position < this.#loadedFrom || (!this.#exhausted && this.#position > end + JUMP_MS)) {
      this.#reload();
    } else if (!this.#exhausted && !this.#loading && end - this.#position < PREFETCH_MS && Date.now() >= this.#retryAt) {
      const query = this.#next === null ? `from=${this.#aheadFrom}` : `after=${this.#next}`;
      void this.#load(`${query}&limit=${PAGE_SIZE}`, (page) => {
        this.#loaded = this.#loaded.concat(page.messages);
        this.#next = page.next;
        this.#exhausted = page.next === null;
        this.#forgetOld();
      });
    }
    this.#show();
  }

  close(): void {
    this.#closed = true;
    this.store.clearListeners();
  }

  #reload(): void {
    this.#generation++;
    this.#loading = false;
    const position = this.#position;
    this.#loaded = [];
    this.#loadedFrom = position;
    this.#aheadFrom = position + 1;
    this.#next = null;
    this.#exhausted = false;
    void this.#load(`until=${position}&limit=${SHOWN_REPLAY_MESSAGES}`, (page) => {
      this.#loaded = page.messages;
      // A short page holds everything from the start; a full one, everything from its first message on.
      const first = page.messages[0];
      this.#loadedFrom = page.messages.length < SHOWN_REPLAY_MESSAGES || !first ? 0 : first.offsetMs + 1;
    });
  }

  async #load(query: string, apply: (page: ChatReplayPage) => void): Promise<void> {
    const generation = this.#generation;
    this.#loading = true;
    let page: ChatReplayPage | undefined;
    let problem: Problem | null = null;
    try {
      const response = await fetch(`${this.#url}/api/events/${this.#slug}/chat?${query}`).catch(() => {
        throw new ServiceError('UNAVAILABLE', 'Cannot reach the server.');
      });
      if (!response.ok) throw new ServiceError(codeForStatus(response.status), `The chat replay answered ${response.status}.`);
      page = ChatReplayPage.parse(await response.json());
    } catch (error) {
      problem = problemOf(error);
    }
    if (generation !== this.#generation || this.#closed) return;
    this.#loading = false;
    if (!page) this.#retryAt = Date.now() + RETRY_MS;
    if (page) apply(page);
    this.store.update({ problem });
    // The position may have moved on while the page was on its way.
    if (page) this.seek(this.#position);
  }

  #forgetOld(): void {
    const excess = this.#loaded.length - KEEP_LOADED;
    if (excess <= 0) return;
    const before = this.#loaded.findIndex((m) => m.offsetMs >= this.#position - LOOKBACK_MS);
    const drop = Math.min(excess, before === -1 ? excess : before);
    if (drop <= 0) return;
    this.#loadedFrom = this.#loaded[drop]!.offsetMs;
    this.#loaded = this.#loaded.slice(drop);
  }

  #show(): void {
    let end = this.#loaded.length;
    while (end > 0 && this.#loaded[end - 1]!.offsetMs > this.#position) end--;
    const shown = this.#loaded.slice(Math.max(0, end - SHOWN_REPLAY_MESSAGES), end);
    const current = this.store.get().shown;
    if (shown.length !== current.length || shown.at(-1)?.id !== current.at(-1)?.id) this.store.update({ shown });
  }
}
