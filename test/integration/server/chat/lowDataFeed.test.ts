import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatFeed, FeedEntry, JoinChatResponse } from '../../../../shared/chat';
import { appendMessages, ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

let test: TestServer;
let slug: string;
let eventKey: string;

beforeAll(async () => {
  test = await startTestServer();
});
beforeEach(async () => {
  ({ slug, eventKey } = await createEvent(test));
});
afterEach(ChatTestClient.closeAll);
afterAll(async () => {
  await test.close();
});

async function joined(extra: { key?: string; feed?: ChatFeed } = {}) {
  const client = await ChatTestClient.open(test.url);
  const join = await client.join(slug, extra);
  return { client, join };
}

function attendeesSay(texts: string[]): Promise<void> {
  return appendMessages(test.server.chat, slug, texts);
}

function texts(entries: readonly FeedEntry[]): string[] {
  return entries.flatMap((entry) => (entry.kind === 'message' ? [entry.text] : []));
}

const CROWD = Array.from({ length: 12 }, (_, i) => `crowd ${i + 1}`);

describe('the low-data chat feed', () => {
  it('sends a low-data connection the organizer, the pin and one sampled attendee message, and the others everything', async () => {
    const { client: full } = await joined();
    const { client: low } = await joined({ feed: 'low' });
    const { client: organizer } = await joined({ key: eventKey });
    await attendeesSay(CROWD);
    await organizer.ok('pin', { text: 'Bring water' });
    await organizer.ok('send', { clientId: randomToken(9), name: 'Host', text: 'Welcome, everyone' });
    await attendeesSay(['crowd after']);
    await organizer.ok('send', { clientId: randomToken(9), name: 'Host', text: 'the end' });
    await Promise.all([full.waitForMessage('the end'), low.waitForMessage('the end')]);

    expect(texts(full.entries)).toEqual([...CROWD, 'Welcome, everyone', 'crowd after', 'the end']);
    const lowTexts = texts(low.entries);
    // Appended together, within the sample's interval: one of them goes through.
    expect(lowTexts.filter((text) => CROWD.includes(text))).toEqual(['crowd 1']);
    expect(lowTexts.filter((text) => !text.startsWith('crowd'))).toEqual(['Welcome, everyone', 'the end']);
    expect(low.entries).toContainEqual(expect.objectContaining({ kind: 'pinned', text: 'Bring water' }));
  });

  it('joins a low-data connection with a short history, and gives every message again on "show every message"', async () => {
    await attendeesSay(Array.from({ length: 30 }, (_, i) => `earlier ${i + 1}`));
    const { client: low, join } = await joined({ feed: 'low' });
    expect(texts(join.entries)).toHaveLength(10);
    expect(texts(join.entries).at(-1)).toBe('earlier 30');

    const back = await low.ok<Pick<JoinChatResponse, 'entries' | 'reset'>>('setFeed', { feed: 'full' });
    expect(back.reset).toBe(true);
    expect(texts(back.entries)).toHaveLength(30);
    // Asked again, the same feed costs nothing: the history comes only with a move back from low-data.
    expect(await low.ok('setFeed', { feed: 'full' })).toEqual({ entries: [], reset: false });
    await attendeesSay(['now 1', 'now 2', 'now 3']);
    await low.waitForMessage('now 3');
    expect(texts(low.entries)).toEqual(['now 1', 'now 2', 'now 3']);

    expect(await low.ok('setFeed', { feed: 'low' })).toEqual({ entries: [], reset: false });
    const { client: organizer } = await joined({ key: eventKey });
    await attendeesSay(['later 1', 'later 2']);
    await organizer.ok('send', { clientId: randomToken(9), name: 'Host', text: 'marker' });
    await low.waitForMessage('marker');
    // "later 1" goes through only if the sample's interval has passed since its last pick; never both.
    expect(texts(low.entries).slice(0, 3)).toEqual(['now 1', 'now 2', 'now 3']);
    expect(texts(low.entries)).not.toContain('later 2');
    expect(texts(low.entries).at(-1)).toBe('marker');
  });
});

describe('hostile feed requests', () => {
  it('refuses a bad feed request with a clear error and changes nothing', async () => {
    const { client: low } = await joined({ feed: 'low' });
    for (const payload of [{ feed: 'everything' }, { feed: 'FULL' }, { feed: 'full', slug: 'other' }, {}, 'full', [{ feed: 'full' }], null]) {
      expect(await low.request('setFeed', payload), JSON.stringify(payload)).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    }
    const { client: organizer } = await joined({ key: eventKey });
    await attendeesSay(['first', 'second', 'third']);
    await organizer.ok('send', { clientId: randomToken(9), name: 'Host', text: 'marker' });
    await low.waitForMessage('marker');
    expect(texts(low.entries)).toEqual(['first', 'marker']);
  });

  it('refuses a join with a bad feed, and a switch before joining', async () => {
    const client = await ChatTestClient.open(test.url);
    expect(await client.request('join', { slug, clientKey: client.clientKey, feed: 'none' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/feed/) },
    });
    expect(await client.request('setFeed', { feed: 'low' })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    await attendeesSay(['unheard']);
    const { client: listener } = await joined();
    await attendeesSay(['heard']);
    await listener.waitForMessage('heard');
    expect(client.entries).toEqual([]);
  });
});
