import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEntryDraft } from '../../../../shared/chat';
import { ChatStore, type ChatRecord } from '../../../../server/chat/ChatStore';
import { RedisChatLog } from '../../../../server/chat/RedisChatLog';
import { RedisPresence } from '../../../../server/chat/RedisPresence';
import { createLogger } from '../../../../server/logger';
import { openDatabase, type Database } from '../../../../server/storage/openDatabase';
import { waitFor } from '../../../helpers/browser';
import { startRedis, type TestRedis } from '../../../helpers/redisServer';

let redis: TestRedis;
const closers: (() => Promise<void> | void)[] = [];
const logger = createLogger('silent');

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function connection(): Promise<Redis> {
  const client = new Redis(redis.url, { lazyConnect: true });
  await client.connect();
  closers.push(() => client.disconnect());
  return client;
}

/** A process's share of the chat: its own database and its own log on the shared Redis. */
async function node(keyPrefix: string, dataDir?: string) {
  const dir = dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-chatlog-')));
  const db: Database = openDatabase(dir);
  const store = new ChatStore(db);
  const log = await RedisChatLog.open(await connection(), store, keyPrefix, logger);
  const received: ChatRecord[] = [];
  log.on('entry', (record) => received.push(record));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await log.close();
    db.close();
  };
  closers.push(close);
  const until = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} entries arrived`)), 10_000);
      const check = () => {
        if (received.length < count) return;
        clearTimeout(timer);
        log.off('entry', check);
        resolve();
      };
      log.on('entry', check);
      check();
    });
  return { dir, store, log, received, until, close };
}

const message = (text: string, clientId = `client-${text.replace(/\W/g, '-')}`): ChatEntryDraft => ({
  kind: 'message',
  authorId: 'AAAAAAAAAAAAAAAA',
  clientId,
  name: 'Sana',
  role: 'attendee',
  text,
});

describe('RedisChatLog', () => {
  it('gives every process every entry, in one order, stored in each database', async () => {
    const prefix = `${redis.keyPrefix}order:`;
    const a = await node(prefix);
    const b = await node(prefix);
    const first = await a.log.append('rally-one', message('from a'));
    const second = await b.log.append('rally-one', message('from b'));
    const pin = await a.log.append('rally-two', { kind: 'pinned', text: 'elsewhere' });
    expect(second.id).toBeGreaterThan(first.id);
    await Promise.all([a.until(3), b.until(3)]);
    for (const side of [a, b]) {
      expect(side.received.map((r) => [r.slug, r.entry.id])).toEqual([
        ['rally-one', first.id],
        ['rally-one', second.id],
        ['rally-two', pin.id],
      ]);
      expect(side.store.recent('rally-one', 10).map((m) => m.text)).toEqual(['from a', 'from b']);
      expect(side.store.moderation('rally-two')).toMatchObject([{ kind: 'pinned', text: 'elsewhere', at: pin.at }]);
    }
  });

  it('answers a message retried through another process with its first id, and stores it once', async () => {
    const prefix = `${redis.keyPrefix}retry:`;
    const a = await node(prefix);
    const b = await node(prefix);
    const placed = await a.log.append('rally', message('once', 'same-id-1'));
    const retried = await b.log.append('rally', message('once', 'same-id-1'));
    expect(retried).toEqual(placed);
    await a.log.append('rally', message('marker'));
    await b.until(2);
    expect(b.store.recent('rally', 10).map((m) => m.text)).toEqual(['once', 'marker']);
  });

  it('catches a restarted process up on what it missed, from where its database ends', async () => {
    const prefix = `${redis.keyPrefix}restart:`;
    const a = await node(prefix);
    const b = await node(prefix);
    await a.log.append('rally', message('before'));
    await b.until(1);
    await b.close();
    await a.log.append('rally', message('while b was down'));
    const gone = await a.log.append('rally', message('deleted while b was down'));
    await a.log.append('rally', { kind: 'deleted', messageId: gone.id });

    const again = await node(prefix, b.dir);
    await again.until(3);
    expect(again.received.map((r) => r.entry.kind)).toEqual(['message', 'message', 'deleted']);
    expect(again.store.recent('rally', 10).map((m) => m.text)).toEqual(['before', 'while b was down']);
  });

  it('never reuses the ids a database already holds when it starts sharing through Redis', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-chatlog-'));
    const db = openDatabase(dir);
    new ChatStore(db).append({ slug: 'rally', entry: { ...message('embedded'), id: 500, at: 1 } as never });
    db.close();
    const shared = await node(`${redis.keyPrefix}raise:`, dir);
    expect((await shared.log.append('rally', message('shared'))).id).toBe(501);
  });

  it('hears the other processes when its database holds more than a fresh Redis has counted', async () => {
    const prefix = `${redis.keyPrefix}ahead:`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-chatlog-'));
    const db = openDatabase(dir);
    new ChatStore(db).append({ slug: 'rally', entry: { ...message('from an earlier run'), id: 500, at: 1 } as never });
    db.close();
    const ahead = await node(prefix, dir);
    const counter = await connection();
    await waitFor(() => counter.get(`${prefix}chat:seq`), (value) => value === '500', 10_000);
    const other = await node(prefix);
    const placed = await other.log.append('rally', message('from the other process'));
    expect(placed.id).toBe(501);
    await ahead.until(1);
    expect(ahead.received.map((r) => r.entry.id)).toEqual([501]);
  });
});

describe('RedisChatLog without Redis for a while', () => {
  it('refuses appends as unavailable while Redis is down, then carries on with new ids', async () => {
    const own = await startRedis({ own: true });
    const port = Number(new URL(own.url).port);
    let current: TestRedis = own;
    closers.push(() => current.close());
    const writer = new Redis(own.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    writer.on('error', () => undefined);
    await writer.connect();
    closers.push(() => writer.disconnect());
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-chatlog-'));
    const db = openDatabase(dir);
    const store = new ChatStore(db);
    const log = await RedisChatLog.open(writer, store, own.keyPrefix, logger);
    closers.push(async () => {
      await log.close();
      db.close();
    });
    const received: number[] = [];
    log.on('entry', ({ entry }) => received.push(entry.id));

    const before = await log.append('rally', message('before'));
    await own.close();
    await expect(log.append('rally', message('during'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // Back, but empty: no persistence, as in these tests.
    current = await startRedis({ own: true, port });
    // Refused until the writer has reconnected, as a client's outbox sees it: it sends again.
    const placed = await waitFor(
      () => log.append('rally', message('after')).catch(() => undefined),
      (appended) => appended !== undefined,
      10_000,
    );
    expect(placed).toBeDefined();
    const after = placed!;
    expect(after.id).toBeGreaterThan(before.id);
    await new Promise<void>((resolve) => {
      const check = () => received.includes(after.id) && resolve();
      log.on('entry', check);
      check();
    });
    expect(store.recent('rally', 10).map((m) => m.text)).toEqual(['before', 'after']);
  });
});

describe('RedisPresence', () => {
  it('sums the attendees of every process, and drops a process that leaves', async () => {
    const prefix = `${redis.keyPrefix}presence:`;
    const a = new RedisPresence(await connection(), prefix, 10);
    const b = new RedisPresence(await connection(), prefix, 10);
    await a.totals(new Map([['rally', 3]]));
    const totals = await b.totals(new Map([['rally', 4], ['other', 1]]));
    expect(Object.fromEntries(totals)).toEqual({ rally: 7, other: 1 });
    expect(Object.fromEntries(await a.totals(new Map([['rally', 2]])))).toEqual({ rally: 6 });
    await b.close();
    expect(Object.fromEntries(await a.totals(new Map([['rally', 2]])))).toEqual({ rally: 2 });
  });
});
