import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayChatFeed, SHOWN_REPLAY_MESSAGES } from '../../../../client/src/chat/ReplayChatFeed';
import type { ChatEntry, ChatReplayPage } from '../../../../shared/chat';
import { ChatStore } from '../../../../server/chat/ChatStore';
import { openDatabase } from '../../../../server/storage/openDatabase';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

/** One message every 10 s for an hour and a half, from the event's start, one of them deleted. */
const MESSAGES = 540;
const EVERY_MS = 10_000;
const DELETED_ID = 7;

let test: TestServer;
let slug: string;
let scheduledSlug: string;

beforeAll(async () => {
  // The timeline goes into storage before the server that serves it starts, as after a real rally.
  const first = await startTestServer();
  ({ slug } = await createEvent(first));
  ({ slug: scheduledSlug } = await createEvent(first, 'Not yet'));
  const startedAt = new Date('2026-03-01T16:00:00Z');
  first.server.events.goLive(slug, startedAt);
  await first.close();

  const db = openDatabase(first.dataDir);
  const store = new ChatStore(db);
  for (let i = 1; i <= MESSAGES; i++) {
    const entry: ChatEntry = {
      kind: 'message',
      id: i,
      at: startedAt.getTime() + (i - 1) * EVERY_MS,
      authorId: 'AAAAAAAAAAAAAAAA',
      clientId: `message-${i}`,
      name: i === 1 ? 'Organizer' : 'Attendee',
      role: i === 1 ? 'organizer' : 'attendee',
      text: `message ${i}`,
    };
    store.append({ slug, entry });
  }
  store.append({ slug, entry: { kind: 'deleted', id: MESSAGES + 1, at: startedAt.getTime(), messageId: DELETED_ID } });
  db.close();
  test = await startTestServer({ DATA_DIR: first.dataDir });
});
afterAll(async () => {
  await test.close();
});

async function page(query: string): Promise<ChatReplayPage> {
  const response = await fetch(`${test.url}/api/events/${slug}/chat?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ChatReplayPage;
}

describe('GET /api/events/:slug/chat', () => {
  it('pages through the messages with their offsets from the start, leaving deleted ones out', async () => {
    const first = await page('limit=5');
    expect(first.startedAt).toBe('2026-03-01T16:00:00.000Z');
    expect(first.messages.map((m) => [m.id, m.offsetMs])).toEqual([
      [1, 0],
      [2, 10_000],
      [3, 20_000],
      [4, 30_000],
      [5, 40_000],
    ]);
    expect(first.messages[0]).toEqual({ id: 1, offsetMs: 0, name: 'Organizer', role: 'organizer', text: 'message 1' });
    const second = await page(`after=${first.next}&limit=5`);
    expect(second.messages.map((m) => m.id)).toEqual([6, 8, 9, 10, 11]);
    const fromMinute = await page('from=60000&limit=2');
    expect(fromMinute.messages.map((m) => m.offsetMs)).toEqual([70_000, 80_000]);
    const untilMinute = await page('until=60000&limit=3');
    expect(untilMinute).toMatchObject({ next: null });
    expect(untilMinute.messages.map((m) => m.offsetMs)).toEqual([30_000, 40_000, 50_000]);
    const last = await page(`after=${MESSAGES - 1}&limit=5`);
    expect(last).toMatchObject({ messages: [{ id: MESSAGES }], next: null });
  });

  it('answers clearly for unknown events, events not started and bad queries', async () => {
    expect((await fetch(`${test.url}/api/events/no-such-event/chat`)).status).toBe(404);
    expect((await fetch(`${test.url}/api/events/${scheduledSlug}/chat`)).status).toBe(409);
    for (const query of ['limit=0', 'limit=100000', 'from=-5', 'after=abc', 'from=1e400']) {
      const response = await fetch(`${test.url}/api/events/${slug}/chat?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
  });
});

describe('ReplayChatFeed', () => {
  function follow(feed: ReplayChatFeed, positionMs: number, lastId: number): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never showed message ${lastId}`)), 10_000);
      const check = () => {
        const { shown } = feed.store.get();
        if (shown.at(-1)?.id !== lastId) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(shown.map((m) => m.id));
      };
      const unsubscribe = feed.store.subscribe(check);
      feed.seek(positionMs);
      check();
    });
  }

  it('shows the chat up to the playback position, as it plays, after seeks forward and back', async () => {
    const feed = new ReplayChatFeed(slug, test.url);
    try {
      expect(await follow(feed, 25_000, 3)).toEqual([1, 2, 3]);
      expect(await follow(feed, 35_000, 4)).toEqual([1, 2, 3, 4]);
      const later = await follow(feed, 80 * 60_000, 481);
      expect(later).toHaveLength(SHOWN_REPLAY_MESSAGES);
      expect(later[0]).toBe(481 - SHOWN_REPLAY_MESSAGES + 1);
      // Played on past everything loaded after the seek: further pages come in as needed.
      expect((await follow(feed, MESSAGES * EVERY_MS, MESSAGES)).at(-1)).toBe(MESSAGES);
      expect(await follow(feed, 65_000, 7 - 1)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await follow(feed, 75_000, 8)).toEqual([1, 2, 3, 4, 5, 6, 8]);
    } finally {
      feed.close();
    }
  });
});
