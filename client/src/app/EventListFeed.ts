import type { PublicEvent } from '../../../shared/events';
import { problemOf, type Problem } from '../lib/Problem';
import { StateStore } from '../lib/StateStore';
import { listEvents } from './api';

/**
 * How often an open page asks whether an event went live, started or was cancelled. Polling rather than
 * a socket: an unchanged list costs a 304 of a few hundred bytes that any HTTP cache or proxy handles,
 * while a socket per visitor of the home page would hold server memory for thousands who only glance
 * at it; 15 s is soon enough for "it is live now" and a cheap request on 2G.
 */
export const EVENT_LIST_POLL_MS = 15_000;

export interface EventListState {
  events: PublicEvent[] | null;
  /** Why the list could not be loaded at all; a later poll that fails leaves the list shown and says nothing. */
  problem: Problem | null;
}

/** Whether the page is seen, and word when it is shown again. */
export interface PageVisibility {
  readonly visible: boolean;
  onShown(listener: () => void): () => void;
}

const documentVisibility: PageVisibility = {
  get visible() {
    return document.visibilityState === 'visible';
  },
  onShown(listener) {
    const onChange = () => {
      if (document.visibilityState === 'visible') listener();
    };
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  },
};

/**
 * The events, kept current while the page is visible: asked at once, then every `intervalMs` with the
 * last ETag (so an unchanged list is a 304), and at once when a hidden tab is shown again. One request
 * at a time: on a slow link they never pile up (one asked for meanwhile follows the one under way).
 */
export class EventListFeed {
  readonly store = new StateStore<EventListState>({ events: null, problem: null });
  readonly #fetchList: typeof listEvents;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #stopWatching: () => void;
  #etag: string | undefined;
  #loading = false;
  /** Asked for while a request was under way: asked again once it is over, as it may predate a change. */
  #again = false;
  #closed = false;

  constructor(fetchList: typeof listEvents = listEvents, visibility: PageVisibility = documentVisibility, intervalMs = EVENT_LIST_POLL_MS) {
    this.#fetchList = fetchList;
    this.#timer = setInterval(() => {
      if (visibility.visible) void this.#load();
    }, intervalMs);
    this.#stopWatching = visibility.onShown(() => void this.#load());
    void this.#load();
  }

  /** Asks for the whole list now (after a change made here, or a "try again"). */
  reload(): void {
    this.#etag = undefined;
    void this.#load();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#stopWatching();
  }

  async #load(): Promise<void> {
    if (this.#closed) return;
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = true;
    try {
      const loaded = await this.#fetchList(this.#etag);
      if (this.#closed || loaded === null) return;
      this.#etag = loaded.etag;
      this.store.update({ events: loaded.events, problem: null });
    } catch (error) {
      if (!this.#closed && this.store.get().events === null) this.store.update({ problem: problemOf(error) });
    } finally {
      this.#loading = false;
      if (this.#again) {
        this.#again = false;
        void this.#load();
      }
    }
  }
}
