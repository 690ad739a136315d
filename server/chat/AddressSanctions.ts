import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Database } from '../storage/openDatabase';

export type SanctionKind = 'ban' | 'mute';

/** When each sanction in force on an address ends (ms since the epoch), if any is. */
export interface AddressStanding {
  bannedUntil: number | undefined;
  mutedUntil: number | undefined;
}

/**
 * The few storage operations address sanctions need, each entry expiring by itself: in this process
 * in its database ({@link SqliteSanctionStore}, kept across restarts) or in the Redis every process shares ({@link RedisSanctionStore}).
 */
export interface SanctionStore {
  /** Adds `member` to the set at `key` and keeps the set until `until`. */
  addToSet(key: string, member: string, until: number): Promise<void>;
  members(key: string): Promise<string[]>;
  /** Sets `key` to `value` until `until`. */
  put(key: string, value: string, until: number): Promise<void>;
  get(keys: string[]): Promise<(string | undefined)[]>;
  /** Deletes `key` if it still holds `value` (another author's later sanction stays). */
  deleteIf(key: string, value: string): Promise<void>;
  close(): void;
}

/**
 * How long an author's addresses are remembered after its last join: long enough for a ban late in a
 * day-long rally to reach the address the author chatted from in the morning.
 */
const ADDRESS_MEMORY_MS = 12 * 3600_000;

/**
 * Bans and mutes that follow an author to the addresses it chatted from, so that a fresh client key
 * (which gives a fresh author id) does not escape them. They hold for a limited period only: behind
 * carrier NAT an address is shared with strangers, who are locked out with the offender meanwhile.
 */
export class AddressSanctions {
  readonly #store: SanctionStore;
  readonly #periodMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;

  /** `periodMs` 0 turns address sanctions off: bans and mutes hold the author's key only. */
  constructor(store: SanctionStore, periodMs: number, logger: Logger, now: () => number = Date.now) {
    this.#store = store;
    this.#periodMs = periodMs;
    this.#logger = logger;
    this.#now = now;
  }

  /**
   * Remembers that `authorId` chats from `address` in this event, so that a later ban or mute reaches it.
   * A store that fails (Redis down) costs only that memory: the author still chats.
   */
  async note(slug: string, authorId: string, address: string): Promise<void> {
    if (this.#periodMs === 0) return;
    await this.#store
      .addToSet(addressesKey(slug, authorId), address, this.#now() + ADDRESS_MEMORY_MS)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'remembering a chat address failed'));
  }

  /** Puts the sanction on every address the author was seen at, until `until` or the end of the period. */
  async impose(slug: string, authorId: string, kind: SanctionKind, until: number): Promise<void> {
    if (this.#periodMs === 0) return;
    const end = Math.min(until, this.#now() + this.#periodMs);
    const addresses = await this.#store.members(addressesKey(slug, authorId));
    await Promise.all(addresses.map((address) => this.#store.put(sanctionKey(kind, slug, address), `${authorId} ${end}`, end)));
  }

  /** Lifts this author's sanction of `kind` from its addresses; what another author caused stays. */
  async lift(slug: string, authorId: string, kind: SanctionKind): Promise<void> {
    if (this.#periodMs === 0) return;
    const addresses = await this.#store.members(addressesKey(slug, authorId));
    const keys = addresses.map((address) => sanctionKey(kind, slug, address));
    const values = await this.#store.get(keys);
    await Promise.all(
      keys.map((key, i) => (values[i]?.startsWith(`${authorId} `) ? this.#store.deleteIf(key, values[i]!) : undefined)),
    );
  }

  /** What holds `address` now; nothing when the store cannot say (an outage must not lock everyone out). */
  async standing(slug: string, address: string): Promise<AddressStanding> {
    if (this.#periodMs === 0) return { bannedUntil: undefined, mutedUntil: undefined };
    const now = this.#now();
    const keys = [sanctionKey('ban', slug, address), sanctionKey('mute', slug, address)];
    const [ban, mute] = await this.#store.get(keys).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'reading chat address sanctions failed');
      return [];
    });
    return { bannedUntil: endOf(ban, now), mutedUntil: endOf(mute, now) };
  }

  close(): void {
    this.#store.close();
  }
}

function addressesKey(slug: string, authorId: string): string {
  return `chat:addresses:${slug}:${authorId}`;
}

function sanctionKey(kind: SanctionKind, slug: string, address: string): string {
  return `chat:${kind}:${slug}:${address}`;
}

/** The end written with a sanction; a store may keep an entry a moment past it. */
function endOf(value: string | undefined, now: number): number | undefined {
  const end = Number(value?.split(' ')[1]);
  return end > now ? end : undefined;
}

/**
 * The sanction store of a server without Redis, in its SQLite database: a ban survives a restart (a
 * banned troll cannot come back by waiting for the server to be updated). Expired rows are ignored
 * when read and swept when written.
 */
export class SqliteSanctionStore implements SanctionStore {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async addToSet(key: string, member: string, until: number): Promise<void> {
    this.#db.transaction(() => {
      this.#sweep();
      this.#db.prepare('INSERT OR IGNORE INTO chat_sanction_sets (key, member) VALUES (?, ?)').run(key, member);
      // As Redis's PEXPIREAT on the set: the whole set lives until the latest addition's end.
      this.#db.prepare('UPDATE chat_sanction_sets SET until = ? WHERE key = ?').run(until, key);
    })();
  }

  async members(key: string): Promise<string[]> {
    const rows = this.#db.prepare('SELECT member FROM chat_sanction_sets WHERE key = ? AND until > ?').all(key, this.#now()) as { member: string }[];
    return rows.map((row) => row.member);
  }

  async put(key: string, value: string, until: number): Promise<void> {
    this.#sweep();
    this.#db.prepare('INSERT OR REPLACE INTO chat_sanction_values (key, value, until) VALUES (?, ?, ?)').run(key, value, until);
  }

  async get(keys: string[]): Promise<(string | undefined)[]> {
    const read = this.#db.prepare('SELECT value FROM chat_sanction_values WHERE key = ? AND until > ?');
    const now = this.#now();
    return keys.map((key) => (read.get(key, now) as { value: string } | undefined)?.value);
  }

  async deleteIf(key: string, value: string): Promise<void> {
    this.#db.prepare('DELETE FROM chat_sanction_values WHERE key = ? AND value = ?').run(key, value);
  }

  close(): void {
    // The database is the server's, closed with it.
  }

  #sweep(): void {
    const now = this.#now();
    this.#db.prepare('DELETE FROM chat_sanction_sets WHERE until <= ?').run(now);
    this.#db.prepare('DELETE FROM chat_sanction_values WHERE until <= ?').run(now);
  }
}

/** Deletes KEYS[1] only while it holds ARGV[1]. */
const DELETE_IF_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The sanction store every process shares, in the Redis that already carries the chat. */
export class RedisSanctionStore implements SanctionStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  /** `redis` stays the caller's to close. */
  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
  }

  async addToSet(key: string, member: string, until: number): Promise<void> {
    await this.#redis.multi().sadd(this.#prefix + key, member).pexpireat(this.#prefix + key, until).exec();
  }

  members(key: string): Promise<string[]> {
    return this.#redis.smembers(this.#prefix + key);
  }

  async put(key: string, value: string, until: number): Promise<void> {
    await this.#redis.set(this.#prefix + key, value, 'PXAT', until);
  }

  async get(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(keys.map((key) => this.#prefix + key));
    return values.map((value) => value ?? undefined);
  }

  async deleteIf(key: string, value: string): Promise<void> {
    await this.#redis.eval(DELETE_IF_SCRIPT, 1, this.#prefix + key, value);
  }

  close(): void {
    // The connection is the chat's, closed with it.
  }
}
