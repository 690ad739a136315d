import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventListFeed, type PageVisibility } from '../../../../client/src/app/EventListFeed';
import { ServiceError } from '../../../../client/src/lib/ServiceError';
import { publicEvent } from '../../../helpers/publicEvent';

const INTERVAL = 15_000;

class FakePage implements PageVisibility {
  visible = true;
  #listeners = new Set<() => void>();

  onShown(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  show(): void {
    this.visible = true;
    for (const listener of this.#listeners) listener();
  }
}

/** A server whose list is `events` at version `version`: 304 (null) to a request naming it. */
function fakeServer() {
  const server = {
    events: [publicEvent({ slug: 'first-1111aaaa' })],
    version: 1,
    fail: false,
    asked: [] as Array<string | undefined>,
    list: vi.fn(async (etag?: string) => {
      server.asked.push(etag);
      if (server.fail) throw new ServiceError('UNAVAILABLE', 'Cannot reach the server.');
      const current = `"v${server.version}"`;
      return etag === current ? null : { events: server.events, etag: current };
    }),
  };
  return server;
}

let page: FakePage;
let server: ReturnType<typeof fakeServer>;
let feed: EventListFeed | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  page = new FakePage();
  server = fakeServer();
});
afterEach(() => {
  feed?.close();
  vi.useRealTimers();
});

const start = () => (feed = new EventListFeed(server.list, page, INTERVAL));

describe('the event list a page keeps current', () => {
  it('loads at once, then asks with the ETag it got, keeping its list while the answer is "unchanged"', async () => {
    const { store } = start();
    await vi.advanceTimersByTimeAsync(0);
    const shown = store.get().events;
    expect(shown?.map((e) => e.slug)).toEqual(['first-1111aaaa']);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(server.asked).toEqual([undefined, '"v1"']);
    expect(store.get().events).toBe(shown);

    server.events = [publicEvent({ slug: 'first-1111aaaa', status: 'live' })];
    server.version = 2;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.get().events?.[0]?.status).toBe('live');
  });

  it('asks nothing while the page is hidden, and asks at once when it is shown again', async () => {
    start();
    await vi.advanceTimersByTimeAsync(0);
    page.visible = false;
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(server.list).toHaveBeenCalledTimes(1);
    page.show();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.list).toHaveBeenCalledTimes(2);
  });

  it('says why when the list cannot be loaded at all, but keeps a loaded list quietly through a failed poll', async () => {
    server.fail = true;
    const { store } = start();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get()).toEqual({ events: null, problem: { kind: 'service', code: 'UNAVAILABLE' } });
    server.fail = false;
    feed!.reload();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.get().problem).toBeNull();
    server.fail = true;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.get()).toMatchObject({ events: [{ slug: 'first-1111aaaa' }], problem: null });
  });

  it('follows a request under way with the one asked for meanwhile, and stops when closed', async () => {
    start();
    feed!.reload();
    await vi.advanceTimersByTimeAsync(0);
    // The second request follows the first (never beside it) and names what the first brought.
    expect(server.asked).toEqual([undefined, '"v1"']);
    feed!.close();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(server.list).toHaveBeenCalledTimes(2);
  });
});
