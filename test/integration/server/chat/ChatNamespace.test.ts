import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeedEntry, FeedMessage, JoinChatResponse } from '../../../../shared/chat';
import { appendMessages, ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

let test: TestServer;
/** A fresh event for every test. */
let slug: string;
let eventKey: string;

function open(options: Parameters<typeof ChatTestClient.open>[1] = {}, server = test): Promise<ChatTestClient> {
  return ChatTestClient.open(server.url, options);
}

async function joined(slug: string, extra: { key?: string; after?: number } = {}) {
  const client = await open();
  const join = await client.join(slug, extra);
  return { client, join };
}

function messages(entries: FeedEntry[]): FeedMessage[] {
  return entries.filter((entry): entry is FeedMessage => entry.kind === 'message');
}

function texts(entries: FeedEntry[]): string[] {
  return messages(entries).map((message) => message.text);
}

function send(client: ChatTestClient, text: string, clientId = randomToken(9)) {
  return client.request<{ id: number; at: number }>('send', { clientId, name: 'Ayesha', text });
}

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

describe('messages', () => {

  it('acknowledges with the server id and time, and delivers to everyone in the event', async () => {
    const { client: sender } = await joined(slug);
    const { client: reader } = await joined(slug);
    const before = Date.now();
    const ack = await send(sender, '  Zindabad! \u202E ');
    expect(ack).toMatchObject({ ok: true, data: { id: expect.any(Number), at: expect.any(Number) } });
    if (!ack.ok) return;
    expect(ack.data.at).toBeGreaterThanOrEqual(before - 1000);
    const received = await reader.waitForMessage('Zindabad!');
    expect(messages(received)[0]).toMatchObject({ id: ack.data.id, name: 'Ayesha', role: 'attendee', text: 'Zindabad!' });
  });

  it('delivers to the only attendee of a room whose join waited while a frame went out', async () => {
    // A frame drops the rooms nobody is in; with Redis, a join waits on it (the address check) long enough
    // for one to go out in between. Here the frame goes out during that wait every time.
    const { sanctions } = test.server.chat;
    const standing = sanctions.standing.bind(sanctions);
    const spy = vi.spyOn(sanctions, 'standing').mockImplementation(async (...args) => {
      test.server.chat.dropIdleRooms();
      return standing(...args);
    });
    try {
      const { client: alone } = await joined(slug);
      // Appended straight to the log, as another process's message arrives: nothing here makes a new room.
      await appendMessages(test.server.chat, slug, ['from elsewhere']);
      await alone.waitForMessage('from elsewhere');
    } finally {
      spy.mockRestore();
    }
  });

  it('stores and shows a retried message once, and answers the retry with the first id', async () => {
    const { client: sender } = await joined(slug);
    const { client: reader } = await joined(slug);
    const clientId = randomToken(9);
    const acks = await Promise.all([send(sender, 'once', clientId), send(sender, 'once', clientId)]);
    const retry = await send(sender, 'once', clientId);
    expect(new Set([...acks, retry].map((ack) => (ack.ok ? ack.data.id : ack.error.code))).size).toBe(1);
    await send(sender, 'after');
    const received = await reader.waitForMessage('after');
    expect(texts(received)).toEqual(['once', 'after']);
    const { join } = await joined(slug);
    expect(texts(join.entries)).toEqual(['once', 'after']);
  });

  it('gives a newcomer the recent history and the current attendee count', async () => {
    const { client: sender } = await joined(slug);
    for (const text of ['one', 'two', 'three']) await send(sender, text);
    const { join } = await joined(slug);
    expect(join.reset).toBe(true);
    expect(texts(join.entries)).toEqual(['one', 'two', 'three']);
    expect(join.state).toMatchObject({ attendees: 2, pinned: null, slowModeSeconds: 0, mutedUntil: null });
    expect(join.role).toBe('attendee');
  });

  it('updates the attendee count as people come and go', async () => {
    const { client: watcher } = await joined(slug);
    const { client: other } = await joined(slug);
    await watcher.waitFor(() => watcher.batches.some((b) => b.attendees === 2), 'a count of 2');
    other.close();
    await watcher.waitFor(() => watcher.batches.at(-1)?.attendees === 1, 'a count of 1');
  });

  it('works over long-polling where WebSocket is blocked', async () => {
    const poller = await open({ transports: ['polling'] });
    await poller.join(slug);
    expect(poller.socket.io.engine.transport.name).toBe('polling');
    const { client: sender } = await joined(slug);
    await send(sender, 'over polling');
    await poller.waitForMessage('over polling');
    expect((await send(poller, 'from polling')).ok).toBe(true);
  });

  it('refuses to send before joining, and unknown events', async () => {
    const client = await open();
    expect(await send(client, 'hello')).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await client.request('join', { slug: 'no-such-event', clientKey: client.clientKey })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('catching up after a drop', () => {

  it('recovers the connection state: missed frames arrive without joining again', async () => {
    const { client: sender } = await joined(slug);
    const listener = await open();
    await listener.join(slug);
    await send(sender, 'before the drop');
    await listener.waitForMessage('before the drop');

    listener.socket.io.engine.close();
    await send(sender, 'while away');
    // Reconnect only once the frame went out, so that it can only come back through the recovery.
    await sender.waitForMessage('while away');
    const reconnected = new Promise<void>((resolve) => listener.socket.once('connect', () => resolve()));
    listener.socket.connect();
    await reconnected;
    expect(listener.socket.recovered).toBe(true);
    await listener.waitForMessage('while away');
    await send(sender, 'after');
    await listener.waitForMessage('after');
    expect(texts(listener.entries)).toEqual(['before the drop', 'while away', 'after']);
    expect((await send(listener, 'back')).ok).toBe(true);
  });

  it('sends what came after the last id seen to a client that joins again', async () => {
    const { client: sender } = await joined(slug);
    const { client: first } = await joined(slug);
    const seen = await send(sender, 'seen');
    await first.waitForMessage('seen');
    first.close();
    await send(sender, 'missed 1');
    const deleted = await send(sender, 'missed and deleted');
    await send(sender, 'missed 2');
    const { client: organizer } = await joined(slug, { key: test.server.instanceKey });
    if (!deleted.ok || !seen.ok) throw new Error('send failed');
    expect((await organizer.request('deleteMessage', { id: deleted.data.id })).ok).toBe(true);

    const again = await open({ clientKey: first.clientKey });
    const join = await again.join(slug, { after: seen.data.id });
    expect(join.reset).toBe(false);
    expect(texts(join.entries)).toEqual(['missed 1', 'missed 2']);
    expect(join.entries.some((entry) => entry.kind === 'deleted')).toBe(true);
  });

  it('replaces the view with the recent history when more was missed than it would show', async () => {
    const { client: sender } = await joined(slug);
    const first = await send(sender, 'first');
    if (!first.ok) throw new Error('send failed');
    // More entries than any rate limit lets a client make quickly: straight into the chat service.
    for (let i = 0; i < 210; i++) await test.server.chat.append(slug, { kind: 'pinned', text: `notice ${i}` });
    const { join } = await joined(slug, { after: first.data.id });
    expect(join.reset).toBe(true);
    expect(texts(join.entries)).toEqual(['first']);
    expect(join.state.pinned).toBe('notice 209');
  });
});

describe('moderation', () => {
  let organizer: ChatTestClient;
  let attendee: ChatTestClient;
  let attendeeJoin: JoinChatResponse;

  beforeEach(async () => {
    ({ client: organizer } = await joined(slug, { key: eventKey }));
    ({ client: attendee, join: attendeeJoin } = await joined(slug));
  });

  it('marks organizers and lets only them moderate', async () => {
    const { join } = await joined(slug, { key: test.server.instanceKey });
    expect(join.role).toBe('organizer');
    const other = await createEvent(test, 'Another rally');
    const impostor = await open();
    expect(await impostor.request('join', { slug, clientKey: impostor.clientKey, key: other.eventKey })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    const sent = await send(attendee, 'hello');
    if (!sent.ok) throw new Error('send failed');
    const target = attendeeJoin.authorId;
    const attempts = {
      deleteMessage: { id: sent.data.id },
      mute: { authorId: target, seconds: 60 },
      ban: { authorId: target, banned: true },
      pin: { text: 'Free pizza' },
      setSlowMode: { seconds: 30 },
    };
    for (const [name, payload] of Object.entries(attempts)) {
      expect(await attendee.request(name, payload), name).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    await send(attendee, 'still here');
    const { join: late } = await joined(slug);
    expect(texts(late.entries)).toEqual(['hello', 'still here']);
    expect(late.state).toMatchObject({ pinned: null, slowModeSeconds: 0 });
  });

  it('deletes a message for everyone, late joiners included', async () => {
    const sent = await send(attendee, 'something rude');
    await send(attendee, 'something fine');
    if (!sent.ok) throw new Error('send failed');
    expect(await organizer.request('deleteMessage', { id: sent.data.id })).toEqual({ ok: true, data: {} });
    await attendee.waitFor(
      (entries) => entries.some((e) => e.kind === 'deleted' && e.messageId === sent.data.id),
      'the deletion',
    );
    const { join } = await joined(slug);
    expect(texts(join.entries)).toEqual(['something fine']);
    const other = await createEvent(test, 'Other rally');
    const { client: otherOrganizer } = await joined(other.slug, { key: other.eventKey });
    expect(await otherOrganizer.request('deleteMessage', { id: sent.data.id + 1 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('mutes an attendee for a while, and lifts the mute', async () => {
    expect((await organizer.request('mute', { authorId: attendeeJoin.authorId, seconds: 600 })).ok).toBe(true);
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'muted'), 'the mute');
    expect(await send(attendee, 'let me talk')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const again = await open({ clientKey: attendee.clientKey });
    const rejoined = await again.join(slug);
    expect(rejoined.state.mutedUntil).toBeGreaterThan(Date.now());
    expect((await send(organizer, 'organizers are never muted')).ok).toBe(true);

    expect((await organizer.request('mute', { authorId: attendeeJoin.authorId, seconds: 0 })).ok).toBe(true);
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'muted' && e.until === null), 'the unmute');
    expect((await send(attendee, 'thank you')).ok).toBe(true);
  });

  it('bans an attendee: removed at once, kept out, and let back in when unbanned', async () => {
    const removed = attendee.next('removed');
    expect((await organizer.request('ban', { authorId: attendeeJoin.authorId, banned: true })).ok).toBe(true);
    await removed;
    expect(await send(attendee, 'hello?')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const again = await open({ clientKey: attendee.clientKey });
    expect(await again.request('join', { slug, clientKey: attendee.clientKey })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect((await organizer.request('ban', { authorId: attendeeJoin.authorId, banned: false })).ok).toBe(true);
    await organizer.waitFor((entries) => entries.some((e) => e.kind === 'banned' && !e.banned), 'the unban');
    await again.join(slug);
    expect((await send(again, 'I will behave')).ok).toBe(true);
  });

  it('pins an announcement for everyone, late joiners included', async () => {
    expect((await organizer.request('pin', { text: 'March starts at 5 pm' })).ok).toBe(true);
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'pinned'), 'the pin');
    const { join } = await joined(slug);
    expect(join.state.pinned).toBe('March starts at 5 pm');
    expect((await organizer.request('pin', { text: null })).ok).toBe(true);
    const { join: later } = await joined(slug);
    expect(later.state.pinned).toBeNull();
  });
});

describe('limits', () => {

  it('limits the messages of one connection', async () => {
    const { client } = await joined(slug);
    const acks = await Promise.all(Array.from({ length: 10 }, (_, i) => send(client, `flood ${i}`)));
    const accepted = acks.flatMap((ack, i) => (ack.ok ? [`flood ${i}`] : []));
    // A burst of five, then one a second: however slow this machine, ten at once cannot all pass.
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThan(10);
    expect(acks.find((ack) => !ack.ok)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const { client: reader } = await joined(slug);
    const { join } = await joined(slug);
    expect(texts(join.entries)).toEqual(accepted);
    expect((await send(reader, 'someone else')).ok).toBe(true);
  });

  it('applies slow mode to attendees, not to organizers', async () => {
    const { client: organizer } = await joined(slug, { key: test.server.instanceKey });
    const { client: attendee } = await joined(slug);
    expect((await organizer.request('setSlowMode', { seconds: 60 })).ok).toBe(true);
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'slowMode'), 'slow mode');
    expect((await send(attendee, 'first')).ok).toBe(true);
    const second = await send(attendee, 'second');
    expect(second).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    if (!second.ok) expect(second.error.message).toMatch(/slow mode/);
    expect((await send(organizer, 'one')).ok).toBe(true);
    expect((await send(organizer, 'two')).ok).toBe(true);
    const { join } = await joined(slug);
    expect(join.state.slowModeSeconds).toBe(60);
    expect((await organizer.request('setSlowMode', { seconds: 0 })).ok).toBe(true);
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'slowMode' && e.seconds === 0), 'slow mode off');
    expect((await send(attendee, 'free again')).ok).toBe(true);
  });

  it('rejects over-long messages and names with a reason', async () => {
    const { client } = await joined(slug);
    const long = await client.request('send', { clientId: randomToken(9), name: 'A', text: 'x'.repeat(501) });
    expect(long).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    if (!long.ok) expect(long.error.message).toMatch(/500/);
    const blank = await client.request('send', { clientId: randomToken(9), name: 'A', text: ' \u200B\n ' });
    expect(blank).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const name = await client.request('send', { clientId: randomToken(9), name: 'n'.repeat(41), text: 'hi' });
    expect(name).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('drops a connection that sends a frame over the size limit, and only that one', async () => {
    const { client: big } = await joined(slug);
    const { client: other } = await joined(slug);
    const dropped = big.next('disconnect');
    big.socket.emit('send', { clientId: randomToken(9), name: 'A', text: 'x'.repeat(70 * 1024) });
    await dropped;
    expect((await send(other, 'still fine')).ok).toBe(true);
  });
});

describe('limits per address', () => {
  let limited: TestServer;
  beforeAll(async () => {
    // One message per address, then one every 50 s: no refill can happen while the test runs.
    limited = await startTestServer({ CHAT_ADDRESS_MESSAGES_PER_SECOND: '0.02' });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('counts the messages of all connections from one address together', async () => {
    const { slug: limitedSlug } = await createEvent(limited);
    const sameAddress = { extraHeaders: { 'x-forwarded-for': '203.0.113.7' } };
    const a = await open(sameAddress, limited);
    const b = await open(sameAddress, limited);
    const elsewhere = await open({ extraHeaders: { 'x-forwarded-for': '198.51.100.1' } }, limited);
    for (const client of [a, b, elsewhere]) await client.join(limitedSlug);
    const acks = [];
    for (let i = 0; i < 2; i++) acks.push(await send(a, `a${i}`), await send(b, `b${i}`));
    expect(acks.map((ack) => ack.ok)).toEqual([true, false, false, false]);
    expect(acks.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect((await send(elsewhere, 'from elsewhere')).ok).toBe(true);
  });
});

describe('fan-out', () => {
  /** Appended in one go (no await between), as several messages arriving within one interval are. */
  function appendAtOnce(server: TestServer, eventSlug: string, messageTexts: string[]): void {
    for (const text of messageTexts) {
      void server.server.chat.append(eventSlug, {
        kind: 'message',
        authorId: 'AAAAAAAAAAAAAAAA',
        clientId: randomToken(9),
        name: 'A',
        role: 'attendee',
        text,
      });
    }
  }

  it('carries everything new of a room in one frame per interval', async () => {
    const { client: reader } = await joined(slug);
    appendAtOnce(test, slug, ['one', 'two', 'three']);
    await reader.waitForMessage('three');
    expect(reader.batches.filter((batch) => batch.entries.length > 0).map((b) => texts(b.entries))).toEqual([
      ['one', 'two', 'three'],
    ]);
  });

  it('sends each attendee of a room every entry once and in order, whichever group of the room it is sent with', async () => {
    // 24 attendees over the default 4 groups: every group has some but for a chance of 4 × 0.75^24 (0.4 %).
    const readers = await Promise.all(Array.from({ length: 24 }, async () => (await joined(slug)).client));
    const said = Array.from({ length: 12 }, (_, i) => `turn ${i}`);
    for (const text of said) {
      appendAtOnce(test, slug, [text]);
      // Spread over a few ticks, so that the groups' turns fall between messages.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await Promise.all(readers.map((reader) => reader.waitForMessage('turn 11')));
    for (const reader of readers) expect(texts(reader.entries)).toEqual(said);
  });

  it('sends every entry in a frame of its own when batching is off', async () => {
    const unbatched = await startTestServer({ CHAT_BATCH_MS: '0' });
    try {
      const { slug: unbatchedSlug } = await createEvent(unbatched);
      const reader = await open({}, unbatched);
      await reader.join(unbatchedSlug);
      appendAtOnce(unbatched, unbatchedSlug, ['one', 'two', 'three']);
      await reader.waitForMessage('three');
      expect(reader.batches.filter((batch) => batch.entries.length > 0).map((b) => texts(b.entries))).toEqual([
        ['one'],
        ['two'],
        ['three'],
      ]);
    } finally {
      await unbatched.close();
    }
  });
  it('sends the waiting frame to the attendees when the server stops, before their connections close', async () => {
    // Frames every 5 s: without a last one at the stop, the message would reach them only by catching up later.
    const stopping = await startTestServer({ CHAT_BATCH_MS: '5000' });
    const { slug: stoppingSlug } = await createEvent(stopping);
    // Several, so that the groups whose turn had not come yet are among them.
    const readers = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const reader = await open({}, stopping);
        await reader.join(stoppingSlug);
        return reader;
      }),
    );
    const sender = await open({}, stopping);
    await sender.join(stoppingSlug);
    await send(sender, 'said as the server stopped');
    await stopping.close();
    for (const reader of readers) expect(texts(reader.entries)).toEqual(['said as the server stopped']);
  });
});

describe('persistence', () => {
  it('keeps history, deletions, pins and bans across a restart, and keeps ids increasing', async () => {
    const first = await startTestServer();
    const { slug: keptSlug, eventKey: keptKey } = await createEvent(first);
    const organizer = await open({}, first);
    await organizer.join(keptSlug, { key: keptKey });
    const attendee = await open({}, first);
    const attendeeJoin = await attendee.join(keptSlug);
    await send(attendee, 'kept');
    const gone = await send(attendee, 'deleted');
    if (!gone.ok) throw new Error('send failed');
    await organizer.ok('deleteMessage', { id: gone.data.id });
    await organizer.ok('pin', { text: 'Bring water' });
    await organizer.ok('ban', { authorId: attendeeJoin.authorId, banned: true });
    await first.close();

    const second = await startTestServer({ DATA_DIR: first.dataDir });
    try {
      const newcomer = await open({}, second);
      const join = await newcomer.join(keptSlug);
      expect(texts(join.entries)).toEqual(['kept']);
      expect(join.state.pinned).toBe('Bring water');
      const banned = await open({ clientKey: attendee.clientKey }, second);
      expect(await banned.request('join', { slug: keptSlug, clientKey: attendee.clientKey })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      const next = await send(newcomer, 'after the restart');
      expect(next.ok && next.data.id).toBeGreaterThan(gone.data.id);
    } finally {
      await second.close();
    }
  });
});
