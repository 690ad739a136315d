import type { Socket } from 'socket.io';
import {
  chatRequests,
  type ChatClientToServerEvents,
  type ChatEntryDraft,
  type ChatFeed,
  type ChatServerToClientEvents,
} from '../../shared/chat';
import { isOver } from '../../shared/events';
import type { Role } from '../../shared/signalling';
import { ForbiddenError, InvalidStateError, RateLimitedError } from '../errors';
import type { EventMembership, Membership } from '../realtime/EventMembership';
import type { RequestHandlers } from '../realtime/handleSocketRequests';
import type { JoinAdmission } from '../realtime/ServerAdmission';
import type { ChatMember, ChatRoom } from './ChatRoom';
import { authorIdFor, type ChatService } from './ChatService';
import { lowDataHistory } from './LowDataSample';

/** Kept by Socket.io with a connection's state, so that a recovered connection resumes without joining again. */
export interface ChatSocketData {
  chat?: { slug: string; authorId: string; role: Role; keyHash?: string; feed: ChatFeed };
}

export type ChatSocket = Socket<ChatClientToServerEvents, ChatServerToClientEvents, Record<string, never>, ChatSocketData>;

/** The Socket.io room that gets an event's chat frames of one feed, for one group of its connections. */
export function chatChannel(slug: string, feed: ChatFeed, group: number): string {
  return `chat:${feed}:${group}:${slug}`;
}

export interface ChatSessionLimits {
  /** Takes a message from this connection's allowance; false when it is used up. */
  connection: () => boolean;
  /** The same for the address the connection comes from. */
  address: () => boolean;
  /** How long an author new to an event's chat waits after joining before its first message. */
  newChatterWaitMs: number;
  /** The server-wide gate an attendee's join passes before its work (sanctions, the history). */
  admission: JoinAdmission;
}

const BANNED = 'the organizer removed you from this chat';
const ADDRESS_BANNED = 'the organizer removed someone on your network from this chat; try again later';
const ENDED = 'this event has ended: its chat is closed';

/** What a chat connection hears: its event's frames of the feed it chose. */
export function chatChannels({ slug }: Membership, feed: ChatFeed, group: number): string[] {
  return [chatChannel(slug, feed, group)];
}

/**
 * One `/chat` connection: its membership of an event (which, as whom), its author id and its requests.
 * Its handlers see only validated payloads.
 */
export class ChatSession implements ChatMember {
  readonly #socket: ChatSocket;
  readonly #chat: ChatService;
  readonly #membership: EventMembership;
  readonly #limits: ChatSessionLimits;
  /** The group of the room's connections this one is sent frames with ({@link BatchTurns}). */
  readonly #group: number;
  #room: ChatRoom | undefined;
  #removed = false;
  #feed: ChatFeed = 'full';
  authorId = '';
  readonly address: string;
  mayPostFrom = 0;

  constructor(
    socket: ChatSocket,
    chat: ChatService,
    membership: EventMembership,
    address: string,
    group: number,
    limits: ChatSessionLimits,
  ) {
    this.#socket = socket;
    this.#chat = chat;
    this.#membership = membership;
    this.address = address;
    this.#group = group;
    this.#limits = limits;
  }

  get feed(): ChatFeed {
    return this.#feed;
  }

  /** An organizer whose key was rotated or revoked since it joined writes and waits as an attendee. */
  get role(): Role {
    const membership = this.#membership.current;
    return membership && this.#membership.stillValid(membership) ? membership.role : 'attendee';
  }

  readonly handlers: RequestHandlers<typeof chatRequests> = {
    join: async ({ slug, clientKey, key, after, feed = 'full' }) => {
      // An attendee waits its turn before any work. A join with a key does not: the organizer must never queue
      // behind a crowd, and a wrong key is refused at once by admit(), from the key's hash.
      if (key === undefined) this.#limits.admission.admitJoin();
      const { membership } = await this.#membership.admit(slug, key);
      const authorId = authorIdFor(clientKey);
      const organizer = membership.role === 'organizer';
      if (!organizer) {
        if (this.#chat.room(slug).isBanned(authorId)) {
          // A banned author coming back from another address (mobile data instead of Wi-Fi) takes the
          // ban there too, so that a fresh key from it does not get in either.
          await this.#chat.sanctions.note(slug, authorId, this.address);
          await this.#chat.sanctions.impose(slug, authorId, 'ban', Number.POSITIVE_INFINITY);
          throw new ForbiddenError(BANNED);
        }
        // A fresh client key is a fresh author id: the address the banned author used is refused too.
        if ((await this.#chat.sanctions.standing(slug, this.address)).bannedUntil !== undefined) {
          throw new ForbiddenError(ADDRESS_BANNED);
        }
        await this.#chat.sanctions.note(slug, authorId, this.address);
      }
      const now = Date.now();
      this.mayPostFrom = organizer || this.#chat.hasPosted(slug, authorId) ? now : now + this.#limits.newChatterWaitMs;
      await this.#setFeed(feed);
      // The room is taken only now, with nothing awaited before entering it: a room nobody is in is
      // dropped at the next frame, and one taken before the awaits above could be that dropped room,
      // which later entries never reach. Entering before reading the history: whatever is appended after
      // the read reaches this connection in a frame, so nothing falls between the two.
      const room = this.#chat.room(slug);
      this.#enter(room, authorId, membership);
      const state = organizer ? { ...room.stateFor(authorId), banned: this.#chat.bannedAuthors(slug) } : room.stateFor(authorId);
      const { entries, reset } = this.#chat.catchUp(slug, after);
      return { role: membership.role, authorId, state, entries: feed === 'low' ? lowDataHistory(entries) : entries, reset };
    },
    send: async ({ clientId, name, text }) => {
      const room = this.#joinedRoom();
      // A retry is answered before any limit: the message was accepted once and must not fail now.
      const earlier = this.#chat.sentBefore(room.slug, this.authorId, clientId);
      if (earlier) return { id: earlier.id, at: earlier.at };
      if (isOver(this.#chat.events.get(room.slug).status)) throw new InvalidStateError(ENDED);
      // A message refused for an outage is sent again by the client: it must not use up its allowance.
      this.#chat.assertAvailable();
      if (!this.#limits.connection()) throw new RateLimitedError('you are sending messages too fast');
      if (!this.#limits.address()) throw new RateLimitedError('too many messages from your network; wait a moment');
      if (this.role === 'attendee') await this.#checkAddress(room.slug);
      room.admitMessage(this);
      return this.#chat.append(room.slug, { kind: 'message', authorId: this.authorId, clientId, name, role: this.role, text });
    },
    deleteMessage: async ({ id }) => {
      const room = this.#moderatedRoom();
      if (this.#chat.liveMessage(room.slug, id)) await this.#moderate(room, { kind: 'deleted', messageId: id });
      return {};
    },
    mute: async ({ authorId, seconds }) => {
      const room = this.#moderatedRoom();
      const until = seconds === 0 ? null : Date.now() + seconds * 1000;
      if (until === null) await this.#chat.sanctions.lift(room.slug, authorId, 'mute');
      else await this.#chat.sanctions.impose(room.slug, authorId, 'mute', until);
      return this.#moderate(room, { kind: 'muted', authorId, until });
    },
    ban: async ({ authorId, banned }) => {
      const room = this.#moderatedRoom();
      if (banned) await this.#chat.sanctions.impose(room.slug, authorId, 'ban', Number.POSITIVE_INFINITY);
      else await this.#chat.sanctions.lift(room.slug, authorId, 'ban');
      return this.#moderate(room, { kind: 'banned', authorId, banned });
    },
    pin: ({ text }) => this.#moderate(this.#moderatedRoom(), { kind: 'pinned', text }),
    setSlowMode: ({ seconds }) => this.#moderate(this.#moderatedRoom(), { kind: 'slowMode', seconds }),
    setFeed: async ({ feed }) => {
      const room = this.#joinedRoom();
      const changed = await this.#setFeed(feed);
      // Only a move from the low-data feed left gaps to fill; asking again for the same feed gets nothing.
      return changed && feed === 'full' ? this.#chat.catchUp(room.slug, undefined) : { entries: [], reset: false };
    },
  };

  /**
   * After Socket.io recovered this connection: take part again as before, unless banned meanwhile, and
   * as an attendee if the organizer key it joined with was rotated or revoked meanwhile.
   */
  resume(): void {
    const previous = this.#socket.data.chat;
    if (!previous) return;
    const room = this.#chat.room(previous.slug);
    const { slug, role, keyHash, feed } = previous;
    this.#feed = feed;
    const asBefore: Membership = { slug, role, keyHash };
    const membership: Membership = this.#membership.stillValid(asBefore) ? asBefore : { slug, role: 'attendee' };
    // The connection's first join time is gone with the old session: a newcomer waits again.
    const posted = membership.role === 'organizer' || this.#chat.hasPosted(slug, previous.authorId);
    this.mayPostFrom = posted ? 0 : Date.now() + this.#limits.newChatterWaitMs;
    this.#enter(room, previous.authorId, membership);
    if (membership.role === 'attendee' && room.isBanned(previous.authorId)) this.remove();
  }

  remove(): void {
    const room = this.#room;
    if (!room) return;
    this.close();
    this.#removed = true;
    this.#socket.data.chat = undefined;
    void this.#membership.leave();
    this.#socket.emit('removed', {});
  }

  close(): void {
    this.#room?.leave(this);
    this.#room = undefined;
  }

  #enter(room: ChatRoom, authorId: string, membership: Membership): void {
    void this.#membership.enter(membership);
    this.close();
    this.#removed = false;
    this.authorId = authorId;
    this.#room = room;
    room.join(this);
    this.#socket.data.chat = { slug: room.slug, authorId, role: membership.role, keyHash: membership.keyHash, feed: this.#feed };
  }

  /**
   * Moves a joined connection from one feed's channel to the other's; before joining, only notes the
   * choice. False when the connection was on that feed already.
   */
  async #setFeed(feed: ChatFeed): Promise<boolean> {
    const before = this.#feed;
    if (feed === before) return false;
    this.#feed = feed;
    const room = this.#room;
    if (!room) return true;
    this.#socket.data.chat = { ...this.#socket.data.chat!, feed };
    // Joined before leaving: no frame of either feed falls between the two.
    await this.#socket.join(chatChannel(room.slug, feed, this.#group));
    await this.#socket.leave(chatChannel(room.slug, before, this.#group));
    return true;
  }

  #joinedRoom(): ChatRoom {
    if (this.#removed) throw new ForbiddenError(BANNED);
    if (!this.#room) throw new InvalidStateError('join the chat first');
    return this.#room;
  }

  /** Sanctions on the connection's address, whichever author caused them, hold whatever key it uses now. */
  async #checkAddress(slug: string): Promise<void> {
    const { bannedUntil, mutedUntil } = await this.#chat.sanctions.standing(slug, this.address);
    if (bannedUntil !== undefined) throw new ForbiddenError(ADDRESS_BANNED);
    if (mutedUntil !== undefined) {
      throw new ForbiddenError(`the organizer muted someone on your network until ${new Date(mutedUntil).toISOString()}`);
    }
  }

  #moderatedRoom(): ChatRoom {
    const room = this.#joinedRoom();
    this.#membership.organizer();
    return room;
  }

  async #moderate(room: ChatRoom, draft: ChatEntryDraft): Promise<Record<string, never>> {
    await this.#chat.append(room.slug, draft);
    return {};
  }
}
