import type { Namespace } from 'socket.io';
import {
  ChatFeed,
  chatRequests,
  encodeChatBatch,
  type ChatClientToServerEvents,
  type ChatServerToClientEvents,
} from '../../shared/chat';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { EventMembership, NamespaceMemberships } from '../realtime/EventMembership';
import { handleSocketRequests } from '../realtime/handleSocketRequests';
import { TokenBucket } from '../realtime/TokenBucket';
import { AddressRateLimiter } from '../realtime/AddressRateLimiter';
import { BatchTurns, batchGroup, type Turn } from './BatchTurns';
import type { ChatRoom } from './ChatRoom';
import type { ChatService } from './ChatService';
import { chatChannel, chatChannels, ChatSession, type ChatSocketData } from './ChatSession';
import { clientAddress } from '../realtime/clientAddress';
import type { JoinAdmission } from '../realtime/ServerAdmission';

export type ChatNamespaceServer = Namespace<
  ChatClientToServerEvents,
  ChatServerToClientEvents,
  Record<string, never>,
  ChatSocketData
>;

/** All requests of a connection (joining, moderating, posting): generous, but not a flood. */
const REQUEST_BURST = 20;
const REQUESTS_PER_SECOND = 5;
/** Messages of one connection: a few in a row (an offline queue being sent), then one a second. */
const MESSAGE_BURST = 5;
const MESSAGES_PER_SECOND = 1;
/** An address may send this many seconds' worth of its rate in one go. */
const ADDRESS_BURST_SECONDS = 3;
const PRESENCE_INTERVAL_MS = 2000;
/** With batching off, frames still go out this often for attendee counts. */
const UNBATCHED_TICK_MS = 250;

/**
 * The `/chat` namespace: a {@link ChatSession} per connection, and the fan-out. Entries are not sent as
 * they come but a frame per room per interval, carrying all of them: the cost of chat then grows with
 * frames per attendee, not with messages times attendees. A room's connections are in groups sent to in
 * turn, a group a tick ({@link BatchTurns}), so that no tick writes to the whole room at once.
 */
export class ChatNamespace {
  readonly #namespace: ChatNamespaceServer;
  readonly #chat: ChatService;
  readonly #logger: Logger;
  readonly #batched: boolean;
  readonly #groups: number;
  readonly #turns = new WeakMap<ChatRoom, BatchTurns>();
  readonly #flushTimer: NodeJS.Timeout;
  readonly #presenceTimer: NodeJS.Timeout;
  readonly #memberships: NamespaceMemberships;
  #refreshing = false;

  constructor(
    namespace: ChatNamespaceServer,
    chat: ChatService,
    options: Config['chat'],
    admission: JoinAdmission,
    logger: Logger,
  ) {
    this.#namespace = namespace;
    this.#chat = chat;
    this.#logger = logger;
    this.#batched = options.batchMs > 0;
    // Unbatched, every entry goes to everyone at once: there are no turns to take.
    this.#groups = this.#batched ? options.batchGroups : 1;
    const addresses = new AddressRateLimiter(
      Math.max(1, options.addressMessagesPerSecond * ADDRESS_BURST_SECONDS),
      options.addressMessagesPerSecond,
    );
    this.#memberships = new NamespaceMemberships(chat.events);
    namespace.on('connection', (socket) => {
      const address = clientAddress(socket.handshake);
      const messages = new TokenBucket(MESSAGE_BURST, MESSAGES_PER_SECOND);
      const group = batchGroup(socket.id, this.#groups);
      const membership = new EventMembership(socket, chat.events, {
        // The session, created next, is what knows the feed; a membership asks only once joined.
        channels: (current): string[] => chatChannels(current, session.feed, group),
      });
      this.#memberships.add(membership);
      const session = new ChatSession(socket, chat, membership, address, group, {
        connection: () => messages.take(),
        address: () => addresses.take(address),
        newChatterWaitMs: options.newChatterWaitMs,
        admission,
      });
      handleSocketRequests(socket, chatRequests, session.handlers, {
        logger: logger.child({ socket: socket.id }),
        rateLimit: new TokenBucket(REQUEST_BURST, REQUESTS_PER_SECOND),
      });
      socket.on('disconnect', () => {
        this.#memberships.delete(membership);
        session.close();
      });
      if (socket.recovered) session.resume();
    });
    // Each group still gets a frame per interval: a tick is a group's share of it.
    const tickMs = this.#batched ? Math.max(1, Math.round(options.batchMs / this.#groups)) : UNBATCHED_TICK_MS;
    this.#flushTimer = setInterval(this.#flush, tickMs);
    this.#presenceTimer = setInterval(this.#refreshAttendees, PRESENCE_INTERVAL_MS);
    if (!this.#batched) chat.on('applied', this.#flushRoom);
  }

  /** Sends every group what is waiting for its next frame, then stops. */
  close(): void {
    for (const room of this.#chat.rooms()) {
      const taken = room.takeBatches();
      for (const turn of this.#turnsOf(room).rest(taken)) this.#send(room, turn);
    }
    this.#memberships.close();
    clearInterval(this.#flushTimer);
    clearInterval(this.#presenceTimer);
    this.#chat.off('applied', this.#flushRoom);
  }

  readonly #flush = (): void => {
    for (const room of this.#chat.rooms()) this.#flushRoom(room);
    this.#chat.dropIdleRooms();
  };

  readonly #flushRoom = (room: ChatRoom): void => {
    this.#send(room, this.#turnsOf(room).next(room.takeBatches()));
  };

  #turnsOf(room: ChatRoom): BatchTurns {
    let turns = this.#turns.get(room);
    if (!turns) {
      turns = new BatchTurns(this.#groups);
      this.#turns.set(room, turns);
    }
    return turns;
  }

  #send(room: ChatRoom, { group, batches }: Turn): void {
    // Encoded once per feed, for all of the group's connections in the room.
    for (const feed of ChatFeed.options) {
      const batch = batches[feed];
      if (batch) this.#namespace.to(chatChannel(room.slug, feed, group)).emit('batch', encodeChatBatch(batch));
    }
  }

  readonly #refreshAttendees = (): void => {
    // A slow Redis must not pile up reports: skip a tick rather than queue it.
    if (this.#refreshing) return;
    this.#refreshing = true;
    this.#chat
      .refreshAttendees()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'counting attendees failed'))
      .finally(() => {
        this.#refreshing = false;
      });
  };
}
