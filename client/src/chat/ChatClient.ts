import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { z } from 'zod';
import {
  CHAT_NAMESPACE,
  chatNotifications,
  chatRequests,
  DisplayName,
  MessageText,
  type BannedAuthor,
  type ChatEntry,
  type ChatFeed,
  type ChatRequest,
  type FeedEntry,
  type FeedMessage,
  type ChatRequestName,
  type ChatResponse,
} from '../../../shared/chat';
import type { Role } from '../../../shared/signalling';
import { jittered } from '../lib/jittered';
import { readAck } from '../lib/readAck';
import { problemOf, type Problem } from '../lib/Problem';
import { ServiceError } from '../lib/ServiceError';
import { StateStore } from '../lib/StateStore';

/** How many messages are kept and shown; older ones scroll away for good, which keeps a phone light. */
export const SHOWN_MESSAGES = 200;
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * A message refused for its rate is tried again after this, or after slow mode's interval if longer; a
 * connection the server let go of, or a join that failed for now, is tried again after it too.
 */
const RATE_RETRY_MS = 3_000;
/** Joins refused for a reason that trying again will not change: the page says why and stops. */
const PERMANENT_JOIN_FAILURES: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'NOT_FOUND', 'BAD_REQUEST']);

export type ChatConnection = 'connecting' | 'online' | 'offline' | 'removed' | 'failed';

/** A message typed here and not stored by the server yet; `problem` is set when the server refused it. */
export interface OutgoingMessage {
  clientId: string;
  name: string;
  text: string;
  problem: Problem | null;
}

export interface ChatView {
  connection: ChatConnection;
  /** Why the chat `failed`; null otherwise. */
  problem: Problem | null;
  role: Role | null;
  authorId: string | null;
  name: string | null;
  messages: readonly FeedMessage[];
  outgoing: readonly OutgoingMessage[];
  pinned: string | null;
  slowModeSeconds: number;
  attendees: number;
  mutedUntil: number | null;
  /** For the organizer: the authors banned from this chat, to let back in. */
  banned: readonly BannedAuthor[];
  /** The feed asked for: the attendee's choice if they made one, otherwise the one the link calls for. */
  feed: ChatFeed;
  /** The feed the server last confirmed for this connection; null before the first join. */
  feedInEffect: ChatFeed | null;
  /** The feed the link calls for ({@link ChatClient.suggestFeed}). */
  suggestedFeed: ChatFeed;
  /** The attendee chose the feed themselves: the link's suggestions no longer change it. */
  feedChosen: boolean;
}

/** The part of Web Storage the chat uses; tests pass their own. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface ChatClientOptions {
  slug: string;
  /** Joins as the organizer (marked as such, may moderate). */
  organizerKey?: string | undefined;
  /** The server's origin; the page's own when absent. */
  url?: string;
  storage?: KeyValueStorage;
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

const KEY_ITEM = 'jalsa.chat.key';
const NAME_ITEM = 'jalsa.chat.name';
const outboxItem = (slug: string) => `jalsa.chat.outbox.${slug}`;
const StoredOutbox = z.array(z.object({ clientId: z.string(), name: z.string(), text: z.string() }));

function randomToken(bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...random)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * One event's chat for one page, without React: joins, shows what arrives, and delivers what the user
 * types exactly once, however often the connection drops. Each message gets an id here; until the server
 * acknowledges it, it waits in an outbox (kept in storage, so a reload does not lose it) and is sent again
 * after every reconnection; the server stores a retried id once. After a drop the client asks for what
 * came after the last entry it saw, unless Socket.io recovered the connection and replayed it already.
 */
export class ChatClient {
  readonly store: StateStore<ChatView>;
  readonly #slug: string;
  readonly #organizerKey: string | undefined;
  readonly #storage: KeyValueStorage | undefined;
  readonly #clientKey: string;
  readonly #socket: Socket;
  #joined = false;
  #lastId: number | undefined;
  #flushing = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #switchingFeed = false;

  constructor({ slug, organizerKey, url = '', storage = defaultStorage(), socketOptions = {} }: ChatClientOptions) {
    this.#slug = slug;
    this.#organizerKey = organizerKey;
    this.#storage = storage;
    this.#clientKey = this.#read(KEY_ITEM) ?? randomToken(18);
    this.#write(KEY_ITEM, this.#clientKey);
    const name = DisplayName.safeParse(this.#read(NAME_ITEM));
    this.store = new StateStore<ChatView>({
      connection: 'connecting',
      problem: null,
      role: null,
      authorId: null,
      name: name.success ? name.data : null,
      messages: [],
      outgoing: this.#loadOutbox(),
      pinned: null,
      slowModeSeconds: 0,
      attendees: 0,
      mutedUntil: null,
      banned: [],
      feed: 'full',
      feedInEffect: null,
      suggestedFeed: 'full',
      feedChosen: false,
    });
    this.#socket = io(`${url}${CHAT_NAMESPACE}`, {
      transports: ['websocket', 'polling'],
      // Where WebSocket is blocked, fall back to long-polling instead of retrying WebSocket forever.
      tryAllTransports: true,
      forceNew: true,
      ...socketOptions,
    });
    this.#socket.on('connect', () => void this.#onConnect());
    this.#socket.on('disconnect', (reason) => {
      const { connection } = this.store.get();
      if (connection === 'online' || connection === 'connecting') this.store.update({ connection: 'offline' });
      // Socket.io reconnects by itself after a lost transport, never after the server let the connection
      // go: the attendee would stay away for good, missing everything until a reload.
      if (reason === 'io server disconnect') this.#reconnectLater();
    });
    this.#socket.on('connect_error', () => {
      // Refused while joining the namespace (not a transport failure, which Socket.io retries itself).
      if (!this.#socket.active) this.#reconnectLater();
    });
    this.#socket.on('batch', (payload: unknown) => {
      const batch = chatNotifications.batch.safeParse(payload);
      if (!batch.success) return;
      this.#apply(batch.data.entries, false);
      if (batch.data.attendees !== undefined) this.store.update({ attendees: batch.data.attendees });
    });
    this.#socket.on('removed', () => this.#remove());
  }

  /** The feed the link calls for; it takes effect unless the attendee chose one. */
  suggestFeed(feed: ChatFeed): void {
    const { feedChosen } = this.store.get();
    this.store.update({ suggestedFeed: feed, ...(feedChosen ? {} : { feed }) });
    void this.#switchFeed();
  }

  /** The attendee's own choice (e.g. "show every message"): it holds for the rest of the page. */
  chooseFeed(feed: ChatFeed): void {
    this.store.update({ feed, feedChosen: true });
    void this.#switchFeed();
  }

  /** Sets the display name that goes with the messages typed from now on; false when it is not acceptable. */
  setName(name: string): boolean {
    const parsed = DisplayName.safeParse(name);
    if (!parsed.success) return false;
    this.#write(NAME_ITEM, parsed.data);
    this.store.update({ name: parsed.data });
    return true;
  }

  /** Queues a message and sends it as soon as the chat is reachable; false when there is nothing to send. */
  send(text: string): boolean {
    const { name } = this.store.get();
    const parsed = MessageText.safeParse(text);
    if (name === null || !parsed.success) return false;
    const message = { clientId: randomToken(12), name, text: parsed.data, problem: null };
    this.#setOutgoing([...this.store.get().outgoing, message]);
    void this.#flush();
    return true;
  }

  /** Forgets a message the server refused. */
  dismiss(clientId: string): void {
    this.#setOutgoing(this.store.get().outgoing.filter((message) => message.clientId !== clientId));
  }

  async deleteMessage(id: number): Promise<void> {
    await this.#request('deleteMessage', { id });
  }

  /** 0 seconds lifts the mute. */
  async mute(authorId: string, seconds: number): Promise<void> {
    await this.#request('mute', { authorId, seconds });
  }

  /** `banned: false` lets the author back in. */
  async ban(authorId: string, banned: boolean): Promise<void> {
    await this.#request('ban', { authorId, banned });
  }

  /** null takes the announcement down. */
  async pin(text: string | null): Promise<void> {
    await this.#request('pin', { text });
  }

  async setSlowMode(seconds: number): Promise<void> {
    await this.#request('setSlowMode', { seconds });
  }

  close(): void {
    clearTimeout(this.#retryTimer);
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
    this.store.clearListeners();
  }

  async #onConnect(): Promise<void> {
    // Recovered by Socket.io: the server kept this connection's membership and replays what it missed.
    if (this.#socket.recovered && this.#joined) {
      this.store.update({ connection: 'online', problem: null });
      void this.#flush();
      void this.#switchFeed();
      return;
    }
    this.#joined = false;
    try {
      const { feed } = this.store.get();
      const joined = await this.#request('join', {
        slug: this.#slug,
        clientKey: this.#clientKey,
        ...(this.#organizerKey === undefined ? {} : { key: this.#organizerKey }),
        ...(this.#lastId === undefined ? {} : { after: this.#lastId }),
        feed,
      });
      this.#joined = true;
      this.store.update({
        feedInEffect: feed,
        connection: 'online',
        problem: null,
        role: joined.role,
        authorId: joined.authorId,
        ...joined.state,
        banned: joined.state.banned ?? [],
      });
      this.#apply(joined.entries, joined.reset);
      void this.#flush();
      // The feed may have changed while the join was on its way.
      void this.#switchFeed();
    } catch (error) {
      this.#onJoinFailed(error);
    }
  }

  #onJoinFailed(error: unknown): void {
    const code = error instanceof ServiceError ? error.code : 'INTERNAL';
    if (code === 'FORBIDDEN') {
      this.#remove();
    } else if (PERMANENT_JOIN_FAILURES.has(code)) {
      this.store.update({ connection: 'failed', problem: problemOf(error) });
      this.#socket.disconnect();
    } else {
      // The server did not answer (in time), was busy, or failed for now (a restart under way, its Redis
      // back a moment ago): start over on a fresh connection rather than give up on the chat.
      this.#socket.disconnect();
      this.store.update({ connection: 'offline' });
      this.#reconnectLater();
    }
  }

  #reconnectLater(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#socket.connect(), jittered(RATE_RETRY_MS));
  }

  #remove(): void {
    this.#joined = false;
    this.store.update({ connection: 'removed', problem: null });
    this.#socket.disconnect();
  }

  /** Sends queued messages one at a time, oldest first, while the chat is joined. */
  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (;;) {
        const next = this.store.get().outgoing.find((message) => message.problem === null);
        if (!next || !this.#joined || !this.#socket.connected) return;
        const { clientId, name, text } = next;
        try {
          const placed = await this.#request('send', { clientId, name, text });
          const { role, authorId } = this.store.get();
          // Shown at once, but not as received: entries stored before it may still be on their way in a
          // frame, and a catch-up after a drop must start before them, not after this message.
          this.#apply([{ kind: 'message', ...placed, clientId, name, text, role: role!, authorId: authorId! }], false, false);
        } catch (error) {
          const code = error instanceof ServiceError ? error.code : 'INTERNAL';
          // Not joined (any more): the message stays queued and goes again after the next (re)join.
          if (code === 'INVALID_STATE') return;
          // Too fast, or the chat is briefly unavailable (its Redis is down, or the connection dropped):
          // the message stays queued and goes again shortly — a connection that stays up gets no rejoin.
          if (code === 'UNAVAILABLE' || code === 'RATE_LIMITED') {
            this.#retryLater();
            return;
          }
          const problem = problemOf(error);
          this.#setOutgoing(this.store.get().outgoing.map((m) => (m.clientId === clientId ? { ...m, problem } : m)));
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Tells the server the feed asked for, until it has the latest choice; a drop leaves it to the next join. */
  async #switchFeed(): Promise<void> {
    if (this.#switchingFeed) return;
    this.#switchingFeed = true;
    try {
      for (;;) {
        const { feed, feedInEffect } = this.store.get();
        if (!this.#joined || !this.#socket.connected || feed === feedInEffect) return;
        const { entries, reset } = await this.#request('setFeed', { feed });
        this.store.update({ feedInEffect: feed });
        this.#apply(entries, reset);
      }
    } catch {
      // The next join asks for the feed as it stands then.
    } finally {
      this.#switchingFeed = false;
    }
  }

  #retryLater(): void {
    clearTimeout(this.#retryTimer);
    const delay = Math.max(RATE_RETRY_MS, this.store.get().slowModeSeconds * 1000);
    this.#retryTimer = setTimeout(() => void this.#flush(), delay);
  }

  /**
   * Applies entries in order; `reset` replaces the messages shown (the server sent the recent history).
   * `received`: they came in order from the server (a frame, a catch-up), so everything before them has
   * too and the next catch-up may start after them.
   */
  #apply(entries: readonly (ChatEntry | FeedEntry)[], reset: boolean, received = true): void {
    const view = this.store.get();
    const byId = new Map(reset ? [] : view.messages.map((message) => [message.id, message]));
    const patch: Partial<ChatView> = {};
    const delivered = new Set<string>();
    for (const entry of entries) {
      if (received) this.#lastId = Math.max(this.#lastId ?? 0, entry.id);
      switch (entry.kind) {
        case 'message':
          byId.set(entry.id, entry);
          // Frames leave the client id out; a join's catch-up has it.
          if (entry.authorId === view.authorId && 'clientId' in entry) delivered.add(entry.clientId);
          break;
        case 'deleted':
          byId.delete(entry.messageId);
          break;
        case 'pinned':
          patch.pinned = entry.text;
          break;
        case 'slowMode':
          patch.slowModeSeconds = entry.seconds;
          break;
        case 'muted':
          if (entry.authorId === view.authorId) patch.mutedUntil = entry.until;
          break;
        case 'banned': {
          const others = (patch.banned ?? view.banned).filter((author) => author.authorId !== entry.authorId);
          const lastMessage = [...byId.values()].findLast((message) => message.authorId === entry.authorId);
          patch.banned = entry.banned ? [...others, { authorId: entry.authorId, name: lastMessage?.name ?? null }] : others;
          break;
        }
      }
    }
    patch.messages = [...byId.values()].sort((a, b) => a.id - b.id).slice(-SHOWN_MESSAGES);
    // A message seen stored (in a frame or the catch-up) needs no retry, even if its acknowledgement was lost.
    if (delivered.size > 0) this.#setOutgoing(view.outgoing.filter((m) => !delivered.has(m.clientId)), patch);
    else this.store.update(patch);
  }

  async #request<N extends ChatRequestName>(name: N, payload: ChatRequest<N>): Promise<ChatResponse<N>> {
    if (!this.#socket.connected) throw new ServiceError('UNAVAILABLE', 'Not connected to the chat.');
    let ack: unknown;
    try {
      ack = await this.#socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload);
    } catch {
      throw new ServiceError('UNAVAILABLE', 'The chat did not answer in time.');
    }
    return readAck<unknown>(ack, chatRequests[name][1], name) as ChatResponse<N>;
  }

  /** Changes the outbox, and in the same update whatever else `patch` holds. */
  #setOutgoing(outgoing: OutgoingMessage[], patch: Partial<ChatView> = {}): void {
    this.store.update({ ...patch, outgoing });
    const queued = outgoing.filter((message) => message.problem === null);
    const stored = queued.map(({ clientId, name, text }) => ({ clientId, name, text }));
    this.#write(outboxItem(this.#slug), queued.length === 0 ? null : JSON.stringify(stored));
  }

  #loadOutbox(): OutgoingMessage[] {
    try {
      const stored = StoredOutbox.parse(JSON.parse(this.#read(outboxItem(this.#slug)) ?? '[]'));
      return stored.map((message) => ({ ...message, problem: null }));
    } catch {
      return [];
    }
  }

  // Storage can be unavailable (private browsing, blocked site data): the chat then works for this page only.
  #read(item: string): string | null {
    try {
      return this.#storage?.getItem(item) ?? null;
    } catch {
      return null;
    }
  }

  #write(item: string, value: string | null): void {
    try {
      if (value === null) this.#storage?.removeItem(item);
      else this.#storage?.setItem(item, value);
    } catch {
      // Not remembered; see #read.
    }
  }
}

function defaultStorage(): KeyValueStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
