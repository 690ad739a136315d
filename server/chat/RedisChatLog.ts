import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChatEntry, type ChatEntryDraft } from '../../shared/chat';
import { Slug } from '../../shared/events';
import type { Logger } from '../logger';
import { chatUnavailable, type Appended, type ChatLog, type ChatLogEvents } from './ChatLog';
import type { ChatRecord, ChatStore } from './ChatStore';

/**
 * Appends atomically: a retried message finds its first append; otherwise the entry takes the next id
 * and Redis's clock, and goes into the stream under the id `0-<id>`, so stream order is id order.
 * The counter is first raised to the caller's highest stored id: a Redis that lost its data (or one new
 * to a database that already holds chat) must not hand out ids that are taken.
 * KEYS: id counter, stream, retry key. ARGV: the record, stream length to keep, retry key lifetime
 * in seconds ('' for entries that are not messages), the caller's highest id. Returns "<id>:<at>".
 */
const APPEND_SCRIPT = `
if ARGV[3] ~= '' then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then return earlier end
end
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[4]) then redis.call('SET', KEYS[1], ARGV[4]) end
local id = redis.call('INCR', KEYS[1])
local time = redis.call('TIME')
local at = time[1] .. string.format('%03d', math.floor(tonumber(time[2]) / 1000))
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. id, 'r', ARGV[1], 'at', at)
local placed = id .. ':' .. at
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], placed, 'EX', ARGV[3]) end
return placed`;

/**
 * Raises the id counter to a reader's cursor. KEYS: id counter. ARGV: the cursor's id. A fresh Redis (or
 * one that lost its data) counts from below what a database already holds, and that process reads after
 * its database's highest id: without this, other processes' next entries would take ids it skips.
 */
const RAISE_SCRIPT = `if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end`;

/** Enough for a process that was down a while to catch up from the stream; older entries live in SQLite. */
const STREAM_LENGTH = 100_000;
/** How long a message's client id is remembered for retries: longer than any phone stays offline mid-rally. */
const RETRY_WINDOW_SECONDS = 24 * 3600;
const READ_BATCH = 1000;
const READ_BLOCK_MS = 5000;
const READ_RETRY_MS = 1000;

const StreamRecord = z.object({ slug: Slug, draft: z.looseObject({}) });

type StreamReply = [stream: string, items: [id: string, fields: string[]][]][] | null;

/**
 * The chat log shared by several server processes through one Redis stream. Every process reads the
 * whole stream in order, stores each entry in its own database (or the shared one: storing is
 * idempotent) and tells its rooms, so each process has the complete history and the same order.
 * A restarted process resumes reading after the last entry its database holds.
 */
export class RedisChatLog extends EventEmitter<ChatLogEvents> implements ChatLog {
  readonly #writer: Redis;
  readonly #reader: Redis;
  readonly #store: ChatStore;
  readonly #keys: { counter: string; stream: string; retryPrefix: string };
  readonly #logger: Logger;
  readonly #reading: Promise<void>;
  /** Resolves on close: a read ioredis keeps queued for a Redis that is gone would never settle after disconnect. */
  readonly #closing: Promise<void>;
  #onClose: () => void = () => undefined;
  #closed = false;

  private constructor(writer: Redis, reader: Redis, store: ChatStore, keyPrefix: string, logger: Logger) {
    super();
    this.#writer = writer;
    this.#reader = reader;
    this.#store = store;
    this.#keys = {
      counter: `${keyPrefix}chat:seq`,
      stream: `${keyPrefix}chat:log`,
      retryPrefix: `${keyPrefix}chat:sent:`,
    };
    this.#logger = logger;
    this.#closing = new Promise((resolve) => (this.#onClose = resolve));
    this.#reading = this.#read(store.maxSeq());
  }

  /**
   * `writer` stays the caller's; the log opens its own connection for blocking reads and closes it.
   * Neither needs Redis to be up yet: the reader keeps trying and catches up from where the database
   * ends once Redis answers, and appends are refused as unavailable until then.
   */
  static open(writer: Redis, store: ChatStore, keyPrefix: string, logger: Logger): RedisChatLog {
    const reader = writer.duplicate({ lazyConnect: false });
    // Connection trouble is the same for both connections, and the writer's owner already reports it.
    reader.on('error', () => undefined);
    return new RedisChatLog(writer, reader, store, keyPrefix, logger);
  }

  async append(slug: string, draft: ChatEntryDraft): Promise<Appended> {
    // Refused at once rather than queued until ioredis gives up: the client's outbox sends it again.
    if (!this.available) throw chatUnavailable();
    const retryKey =
      draft.kind === 'message' ? `${this.#keys.retryPrefix}${slug}:${draft.authorId}:${draft.clientId}` : this.#keys.counter;
    let placed: string;
    try {
      placed = (await this.#writer.eval(
        APPEND_SCRIPT,
        3,
        this.#keys.counter,
        this.#keys.stream,
        retryKey,
        JSON.stringify({ slug, draft }),
        STREAM_LENGTH,
        draft.kind === 'message' ? RETRY_WINDOW_SECONDS : '',
        this.#store.maxSeq(),
      )) as string;
    } catch (error) {
      // Without Redis nothing can be appended; the client keeps the message and sends it again later.
      this.#logger.warn({ err: error }, 'appending to the shared chat log failed');
      throw chatUnavailable();
    }
    const [id, at] = placed.split(':').map(Number) as [number, number];
    return { id, at };
  }

  get available(): boolean {
    return this.#writer.status === 'ready';
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#onClose();
    this.#reader.disconnect();
    await this.#reading;
    this.removeAllListeners();
  }

  async #read(afterId: number): Promise<void> {
    let cursor = `0-${afterId}`;
    // Once per connection: the Redis answering may be a new one.
    let raised = false;
    while (!this.#closed) {
      try {
        if (this.#reader.status !== 'ready') {
          // Redis is not there (yet): wait for it rather than fail a read every second.
          raised = false;
          await Promise.race([new Promise((resolve) => this.#reader.once('ready', resolve)), this.#closing]);
          continue;
        }
        if (!raised) {
          await this.#reader.eval(RAISE_SCRIPT, 1, this.#keys.counter, cursor.slice(2));
          raised = true;
        }
        const reading = this.#reader.xread('COUNT', READ_BATCH, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.#keys.stream, cursor);
        const reply = (await Promise.race([reading, this.#closing])) as StreamReply | undefined;
        if (this.#closed) return;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          const record = this.#parse(id, fields);
          // A failure to store leaves the cursor here, so the entry is read again after the pause below.
          if (record) {
            this.#store.append(record);
            this.emit('entry', record);
          }
          cursor = id;
        }
      } catch (error) {
        if (this.#closed) return;
        this.#logger.warn({ err: error }, 'reading the shared chat log failed; retrying');
        await sleep(READ_RETRY_MS);
      }
    }
  }

  /** One bad record (from a newer or broken writer) must not stop the chat: it is logged and skipped. */
  #parse(streamId: string, fields: string[]): ChatRecord | undefined {
    const value = (name: string) => fields[fields.indexOf(name) + 1];
    try {
      const record = StreamRecord.parse(JSON.parse(value('r') ?? ''));
      const entry = ChatEntry.parse({ ...record.draft, id: Number(streamId.split('-')[1]), at: Number(value('at')) });
      return { slug: record.slug, entry };
    } catch (error) {
      this.#logger.error({ err: error, streamId }, 'skipping an unreadable chat log entry');
      return undefined;
    }
  }
}
