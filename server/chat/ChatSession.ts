import type { Socket } from 'socket.io';
import {
  chatRequests,
  type ChatClientToServerEvents,
  type ChatEntryDraft,
  type ChatServerToClientEvents,
} from '../../shared/chat';
import type { Role } from '../../shared/signalling';
import { ForbiddenError, InvalidStateError, RateLimitedError } from '../errors';
import type { EventMembership, Membership } from '../realtime/EventMembership';
import type { RequestHandlers } from '../realtime/handleSocketRequests';
import type { ChatMember, ChatRoom } from './ChatRoom';
import { authorIdFor, type ChatService } from './ChatService';

/** Kept by Socket.io with a connection's state, so that a recovered connection resumes without joining again. */
export interface ChatSocketData {
  chat?: { slug: string; authorId: string; role: Role; keyHash?: string };
}

export type ChatSocket = Socket<ChatClientToServerEvents, ChatServerToClientEvents, Record<string, never>, ChatSocketData>;

/** The Socket.io room that gets an event's chat frames. */
export function chatChannel(slug: string): string {
  return `chat:${slug}`;
}

export interface ChatSessionLimits {
  /** Takes a message from this connection's allowance; false when it is used up. */
  connection: () => boolean;
  /** The same for the address the connection comes from. */
  address: () => boolean;
}

const BANNED = 'the organizer removed you from this chat';

/** What a chat connection hears: its event's frames. */
export function chatChannels({ slug }: Membership): string[] {
  return [chatChannel(slug)];
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
  #room: ChatRoom | undefined;
  #removed = false;
  authorId = '';

  constructor(socket: ChatSocket, chat: ChatService, membership: EventMembership, limits: ChatSessionLimits) {
    this.#socket = socket;
    this.#chat = chat;
    this.#membership = membership;
    this.#limits = limits;
  }

  /** An organizer whose key was rotated or revoked since it joined writes and waits as an attendee. */
  get role(): Role {
    const membership = this.#membership.current;
    return membership && this.#membership.stillValid(membership) ? membership.role : 'attendee';
  }

  readonly handlers: RequestHandlers<typeof chatRequests> = {
    join: async ({ slug, clientKey, key, after }) => {
      const { membership } = await this.#membership.admit(slug, key);
      const authorId = authorIdFor(clientKey);
      const room = this.#chat.room(slug);
      if (membership.role === 'attendee' && room.isBanned(authorId)) throw new ForbiddenError(BANNED);
      // Entering the room before reading the history: whatever is appended after the read reaches this
      // connection in a frame, so nothing falls between the two.
      this.#enter(room, authorId, membership);
      return { role: membership.role, authorId, state: room.stateFor(authorId), ...this.#chat.catchUp(slug, after) };
    },
    send: async ({ clientId, name, text }) => {
      const room = this.#joinedRoom();
      // A retry is answered before any limit: the message was accepted once and must not fail now.
      const earlier = this.#chat.sentBefore(room.slug, this.authorId, clientId);
      if (earlier) return { id: earlier.id, at: earlier.at };
      if (!this.#limits.connection()) throw new RateLimitedError('you are sending messages too fast');
      if (!this.#limits.address()) throw new RateLimitedError('too many messages from your network; wait a moment');
      room.admitMessage(this);
      return this.#chat.append(room.slug, { kind: 'message', authorId: this.authorId, clientId, name, role: this.role, text });
    },
    deleteMessage: async ({ id }) => {
      const room = this.#moderatedRoom();
      if (this.#chat.liveMessage(room.slug, id)) await this.#moderate(room, { kind: 'deleted', messageId: id });
      return {};
    },
    mute: ({ authorId, seconds }) =>
      this.#moderate(this.#moderatedRoom(), { kind: 'muted', authorId, until: seconds === 0 ? null : Date.now() + seconds * 1000 }),
    ban: ({ authorId, banned }) => this.#moderate(this.#moderatedRoom(), { kind: 'banned', authorId, banned }),
    pin: ({ text }) => this.#moderate(this.#moderatedRoom(), { kind: 'pinned', text }),
    setSlowMode: ({ seconds }) => this.#moderate(this.#moderatedRoom(), { kind: 'slowMode', seconds }),
  };

  /**
   * After Socket.io recovered this connection: take part again as before, unless banned meanwhile, and
   * as an attendee if the organizer key it joined with was rotated or revoked meanwhile.
   */
  resume(): void {
    const previous = this.#socket.data.chat;
    if (!previous) return;
    const room = this.#chat.room(previous.slug);
    const { slug, role, keyHash } = previous;
    const asBefore: Membership = { slug, role, keyHash };
    const membership: Membership = this.#membership.stillValid(asBefore) ? asBefore : { slug, role: 'attendee' };
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
    this.#socket.data.chat = { slug: room.slug, authorId, role: membership.role, keyHash: membership.keyHash };
  }

  #joinedRoom(): ChatRoom {
    if (this.#removed) throw new ForbiddenError(BANNED);
    if (!this.#room) throw new InvalidStateError('join the chat first');
    return this.#room;
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
