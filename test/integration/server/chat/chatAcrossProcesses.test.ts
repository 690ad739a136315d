import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatFeed, ChatMessage, FeedEntry } from '../../../../shared/chat';
import { ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { startRedis, type TestRedis } from '../../../helpers/redisServer';
import { startServerProcess, type ServerProcess } from '../../../helpers/serverProcess';

/**
 * Two real server processes sharing one Redis and one data directory (so both know the events); each
 * keeps its own copy of the chat log in that database, written idempotently.
 */
let redis: TestRedis;
let a: ServerProcess;
let b: ServerProcess;
const organizerKey = randomToken(32);

beforeAll(async () => {
  redis = await startRedis();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-chat-cluster-'));
  const env = {
    DATA_DIR: dataDir,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    ORGANIZER_KEY: organizerKey,
    SERVE_CLIENT: 'false',
  };
  // One after the other: the first creates the database the second opens.
  a = await startServerProcess(env);
  b = await startServerProcess(env);
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.close();
});
afterEach(ChatTestClient.closeAll);

async function newEvent(): Promise<string> {
  const response = await fetch(`${a.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${organizerKey}` },
    body: JSON.stringify({ title: 'Shared rally' }),
  });
  return ((await response.json()) as { event: { slug: string } }).event.slug;
}

async function joined(
  server: ServerProcess,
  slug: string,
  { clientKey, ...extra }: { key?: string; after?: number; feed?: ChatFeed; clientKey?: string } = {},
) {
  const client = await ChatTestClient.open(server.url, clientKey ? { clientKey } : {});
  const join = await client.join(slug, extra);
  return { client, join };
}

function send(client: ChatTestClient, text: string, clientId = randomToken(9)) {
  return client.ok<{ id: number; at: number }>('send', { clientId, name: 'Farah', text });
}

describe('chat across two server processes', () => {
  it('delivers a message sent through one process to the clients of the other, both ways', async () => {
    const slug = await newEvent();
    const { client: onA } = await joined(a, slug);
    const { client: onB } = await joined(b, slug);
    const fromA = await send(onA, 'from A');
    await onB.waitForMessage('from A');
    await send(onB, 'from B');
    await onA.waitForMessage('from B');
    expect(onB.entries.find((e): e is ChatMessage => e.kind === 'message')?.id).toBe(fromA.id);
    const { join } = await joined(b, slug);
    expect(join.entries.map((e) => (e.kind === 'message' ? e.text : e.kind))).toEqual(['from A', 'from B']);
  });

  it('stores a message retried through the other process once', async () => {
    const slug = await newEvent();
    const clientKey = randomToken();
    const { client: first } = await joined(a, slug, { clientKey });
    const { client: retry } = await joined(b, slug, { clientKey });
    const placed = await send(first, 'only once', 'retried-id-1');
    expect(await send(retry, 'only once', 'retried-id-1')).toEqual(placed);
    await send(retry, 'marker');
    await first.waitForMessage('marker');
    const { join: seen } = await joined(a, slug);
    expect(seen.entries.map((e) => (e.kind === 'message' ? e.text : e.kind))).toEqual(['only once', 'marker']);
  });

  it('applies moderation from one process on the other', async () => {
    const slug = await newEvent();
    const { client: organizer } = await joined(b, slug, { key: organizerKey });
    const { client: attendee, join: attendeeJoin } = await joined(a, slug);
    const rude = await send(attendee, 'rude');
    await organizer.waitForMessage('rude');
    await organizer.ok('deleteMessage', { id: rude.id });
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'deleted' && e.messageId === rude.id), 'the deletion');
    const { join: late } = await joined(a, slug);
    expect(late.entries).toEqual([]);

    await organizer.ok('pin', { text: 'Across processes' });
    await organizer.ok('setSlowMode', { seconds: 120 });
    await attendee.waitFor((entries) => entries.some((e) => e.kind === 'slowMode'), 'slow mode');
    const { join: onA } = await joined(a, slug);
    expect(onA.state).toMatchObject({ pinned: 'Across processes', slowModeSeconds: 120 });
    expect(await attendee.request('send', { clientId: randomToken(9), name: 'F', text: 'too soon?' })).toMatchObject({
      ok: true,
    });
    expect(await attendee.request('send', { clientId: randomToken(9), name: 'F', text: 'too soon' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });

    const removed = attendee.next('removed');
    await organizer.ok('ban', { authorId: attendeeJoin.authorId, banned: true });
    await removed;
    const again = await ChatTestClient.open(a.url, { clientKey: attendee.clientKey });
    expect(await again.request('join', { slug, clientKey: attendee.clientKey })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('counts the attendees of both processes', async () => {
    const slug = await newEvent();
    const { client: onA } = await joined(a, slug);
    await joined(a, slug);
    const { client: onB } = await joined(b, slug);
    await Promise.all(
      [onA, onB].map((client) => client.waitFor(() => client.batches.some((batch) => batch.attendees === 3), 'a total of 3')),
    );
    const { join } = await joined(b, slug);
    expect(join.state.attendees).toBeGreaterThanOrEqual(3);
  });

  it('sends the low-data connections of both processes the organizer and the same one-message sample', async () => {
    const slug = await newEvent();
    const { client: organizer } = await joined(a, slug, { key: organizerKey });
    const { client: lowOnA } = await joined(a, slug, { feed: 'low' });
    const { client: lowOnB } = await joined(b, slug, { feed: 'low' });
    const senders = await Promise.all([a, b, a, b].map(async (server) => (await joined(server, slug)).client));
    await Promise.all(senders.map((sender, i) => send(sender, `crowd ${i + 1}`)));
    await organizer.ok('send', { clientId: randomToken(9), name: 'Host', text: 'marker' });
    await Promise.all([lowOnA.waitForMessage('marker'), lowOnB.waitForMessage('marker')]);
    const seen = (entries: FeedEntry[]) => entries.flatMap((e) => (e.kind === 'message' ? [e.text] : []));
    expect(seen(lowOnA.entries)).toEqual(seen(lowOnB.entries));
    expect(seen(lowOnA.entries).filter((text) => text.startsWith('crowd'))).toHaveLength(1);
    expect(seen(lowOnA.entries).at(-1)).toBe('marker');
  });

  it('catches a client up on the other process from the last id it saw', async () => {
    const slug = await newEvent();
    const { client: sender } = await joined(a, slug);
    const { client: watcherOnB } = await joined(b, slug);
    const seen = await send(sender, 'seen on A');
    await send(sender, 'missed 1');
    await send(sender, 'missed 2');
    await watcherOnB.waitForMessage('missed 2');
    const { join: newcomer } = await joined(b, slug);
    const { join: after } = await joined(b, slug, { after: seen.id });
    expect(newcomer.reset).toBe(true);
    expect(after.reset).toBe(false);
    expect(after.entries.map((e) => (e.kind === 'message' ? e.text : e.kind))).toEqual(['missed 1', 'missed 2']);
  });
});
