import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import {
  CHAT_HISTORY_LENGTH,
  type BannedAuthor,
  type ChatEntry,
  type ChatEntryDraft,
  type ChatMessage,
  type ChatReplayPage,
  type ChatReplayQuery,
} from '../../shared/chat';
import type { Config } from '../config';
import { InvalidStateError, NotFoundError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { TokenBucket } from '../realtime/TokenBucket';
import type { Database } from '../storage/openDatabase';
import { AddressSanctions, RedisSanctionStore, SqliteSanctionStore } from './AddressSanctions';
import { chatUnavailable, type Appended, type ChatLog } from './ChatLog';
import { ChatRoom } from './ChatRoom';
import { ChatStore, type ChatRecord } from './ChatStore';
import { LocalChatLog } from './LocalChatLog';
import type { Presence } from './Presence';
import { RedisChatLog } from './RedisChatLog';
import { RedisPresence } from './RedisPresence';

/** A client that missed more entries than this gets the recent history instead: it would not show more. */
const CATCH_UP_LIMIT = 2 * CHAT_HISTORY_LENGTH;
/** How long another process's attendee report counts without being refreshed. */
const PRESENCE_VALID_SECONDS = 10;

export interface ChatServiceEvents {
  /** A room of this process got a new entry. */
  applied: [room: ChatRoom];
}

/** Everything the chat does apart from Socket.io: its log, rooms, history and replay. */
export class ChatService extends EventEmitter<ChatServiceEvents> {
  readonly events: EventService;
  /** Bans and mutes that also hold their author's addresses for a while, shared wherever the chat is. */
  readonly sanctions: AddressSanctions;
  readonly #store: ChatStore;
  readonly #log: ChatLog;
  readonly #presence: Presence;
  readonly #redis: Redis | undefined;
  readonly #rooms = new Map<string, ChatRoom>();
  readonly #rules: Config['chat'];

  private constructor(parts: {
    events: EventService;
    store: ChatStore;
    log: ChatLog;
    presence: Presence;
    redis: Redis | undefined;
    sanctions: AddressSanctions;
    rules: Config['chat'];
  }) {
    super();
    this.events = parts.events;
    this.sanctions = parts.sanctions;
    this.#rules = parts.rules;
    this.#store = parts.store;
    this.#log = parts.log;
    this.#presence = parts.presence;
    this.#redis = parts.redis;
    this.#log.on('entry', this.#onEntry);
  }

  /** Embedded when `redis` is undefined; otherwise shared with every process using the same Redis and prefix. */
  static async open(
    db: Database,
    events: EventService,
    { redis, chat: rules }: Pick<Config, 'redis' | 'chat'>,
    logger: Logger,
  ): Promise<ChatService> {
    const store = new ChatStore(db);
    const common = { events, store, rules };
    if (!redis) {
      const presence: Presence = { totals: async (counts) => new Map(counts), close: async () => undefined };
      const sanctions = new AddressSanctions(new SqliteSanctionStore(db), rules.addressBanMs, logger);
      return new ChatService({ ...common, log: new LocalChatLog(store), presence, redis: undefined, sanctions });
    }
    // Not awaited: a server whose Redis is down at boot serves everything else, and its chat once Redis
    // answers (ioredis keeps reconnecting; until then appends are refused as unavailable).
    // No offline queue: while Redis is away every command fails at once (appends refused as unavailable,
    // address sanctions read as none) instead of holding a join or a send until ioredis gives up.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
    connection.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection error'));
    connection.on('ready', () => logger.info('connected to Redis: chat is shared'));
    const log = RedisChatLog.open(connection, store, redis.keyPrefix, logger);
    const presence = new RedisPresence(connection, redis.keyPrefix, PRESENCE_VALID_SECONDS);
    const sanctions = new AddressSanctions(new RedisSanctionStore(connection, redis.keyPrefix), rules.addressBanMs, logger);
    return new ChatService({ ...common, log, presence, redis: connection, sanctions });
  }

  /** The room of an event, built from storage when this process has none for it yet. */
  room(slug: string): ChatRoom {
    let room = this.#rooms.get(slug);
    if (!room) {
      const { slowModeMessagesPerAddress, roomMessagesPerSecond: perSecond } = this.#rules;
      // A second's worth at once. Kept per process: with Redis, N processes let in N times as many.
      const messageCap = new TokenBucket(perSecond, perSecond);
      room = new ChatRoom(slug, this.#store.moderation(slug), this.#store.maxSeq(), { slowModeMessagesPerAddress, messageCap });
      this.#rooms.set(slug, room);
    }
    return room;
  }

  rooms(): IterableIterator<ChatRoom> {
    return this.#rooms.values();
  }

  /** Forgets rooms nobody here is in; their state is rebuilt from storage when someone joins again. */
  dropIdleRooms(): void {
    for (const [slug, room] of this.#rooms) if (room.idle) this.#rooms.delete(slug);
  }

  /**
   * Drops a deleted event's chat: its stored entries, and its room here once nobody is in it. With
   * Redis, entries still in the shared stream are not stored again: a process stores only entries new to it.
   */
  removeHistory(slug: string): void {
    this.#store.removeEvent(slug);
    if (this.#rooms.get(slug)?.idle) this.#rooms.delete(slug);
  }

  /** Throws the error a client retries on when nothing can be appended now (before any allowance is spent). */
  assertAvailable(): void {
    if (!this.#log.available) throw chatUnavailable();
  }

  append(slug: string, draft: ChatEntryDraft): Promise<Appended> {
    return this.#log.append(slug, draft);
  }

  /**
   * What a joining client needs: everything after the last entry it saw, or the recent history (and
   * `reset`) for a newcomer or a client that missed more than it would show.
   */
  catchUp(slug: string, after: number | undefined): { entries: ChatEntry[]; reset: boolean } {
    if (after !== undefined) {
      const entries = this.#store.after(slug, after, CATCH_UP_LIMIT + 1);
      if (entries.length <= CATCH_UP_LIMIT) return { entries, reset: false };
    }
    return { entries: this.#store.recent(slug, CHAT_HISTORY_LENGTH), reset: true };
  }

  /** Whether the author has a message in this event: it is not a newcomer to its chat. */
  hasPosted(slug: string, authorId: string): boolean {
    return this.#store.hasPosted(slug, authorId);
  }

  /** The banned authors of an event, with the name of their last message, for the organizer to unban. */
  bannedAuthors(slug: string): BannedAuthor[] {
    return this.room(slug)
      .bannedAuthors()
      .map((authorId) => ({ authorId, name: this.#store.lastName(slug, authorId) ?? null }));
  }

  sentBefore(slug: string, authorId: string, clientId: string): ChatMessage | undefined {
    return this.#store.findByClientId(slug, authorId, clientId);
  }

  /** A message of the event that is still up; undefined when it was already deleted. */
  liveMessage(slug: string, id: number): ChatMessage | undefined {
    const found = this.#store.message(slug, id);
    if (!found) throw new NotFoundError('message');
    return found.deleted ? undefined : found.message;
  }

  /** Messages with their time from the event's start, a page at a time. */
  replay(slug: string, { from, until, after, limit }: ChatReplayQuery): ChatReplayPage {
    const { startedAt } = this.events.get(slug);
    if (startedAt === null) throw new InvalidStateError('the event has not started');
    const start = Date.parse(startedAt);
    const position =
      after !== undefined ? { after } : until !== undefined ? { until: start + until } : { from: start + from };
    const messages = this.#store.replay(slug, position, limit);
    return {
      startedAt,
      messages: messages.map(({ id, at, name, role, text }) => ({ id, offsetMs: at - start, name, role, text })),
      next: messages.length === limit && !('until' in position) ? messages.at(-1)!.id : null,
    };
  }

  /** Tells the presence counter this process's attendees and gives each room its event's total. */
  async refreshAttendees(): Promise<void> {
    const local = new Map([...this.#rooms.values()].map((room) => [room.slug, room.localAttendees]));
    const totals = await this.#presence.totals(local);
    for (const room of this.#rooms.values()) {
      const total = totals.get(room.slug);
      if (total !== undefined) room.setTotalAttendees(total);
    }
  }

  async close(): Promise<void> {
    this.#log.off('entry', this.#onEntry);
    await this.#presence.close().catch(() => undefined);
    await this.#log.close();
    this.sanctions.close();
    this.#redis?.disconnect();
  }

  readonly #onEntry = ({ slug, entry }: ChatRecord): void => {
    const room = this.#rooms.get(slug);
    if (!room) return;
    room.apply(entry);
    this.emit('applied', room);
  };
}

/** What everyone sees of a browser's chat key: enough to tell authors apart, nothing to act as one. */
export function authorIdFor(clientKey: string): string {
  return crypto.createHash('sha256').update(`jalsa-chat:${clientKey}`).digest('base64url').slice(0, 16);
}
