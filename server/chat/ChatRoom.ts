import type { ChatBatch, ChatEntry, ChatFeed, ChatState } from '../../shared/chat';
import type { Role } from '../../shared/signalling';
import { ForbiddenError, RateLimitedError } from '../errors';
import type { TokenBucket } from '../realtime/TokenBucket';
import { LowDataSample } from './LowDataSample';

/** A connection taking part in a room's chat. */
export interface ChatMember {
  readonly authorId: string;
  readonly role: Role;
  /** The client address the member connects from, as the trusted proxy reports it. */
  readonly address: string;
  /** Before this time (ms) the member may not post: a newcomer waits, so a fresh key buys nothing at once. */
  readonly mayPostFrom: number;
  /** The member was banned: it must stop taking part. */
  remove(): void;
}

export interface ChatRoomRules {
  /** In slow mode, messages one address may post per interval. */
  slowModeMessagesPerAddress?: number;
  /**
   * The room's allowance of attendee messages, whoever and wherever they come from: the per-connection
   * and per-address limits cannot bound many attendees on many addresses, and every message accepted is
   * stored and sent to everyone in the room. Undefined: no such cap.
   */
  messageCap?: TokenBucket;
}

/** Attendee-count-only frames cost a frame per attendee; while people come and go, one every few seconds is plenty. */
const COUNT_ONLY_FRAME_INTERVAL_MS = 2000;

/**
 * One event's chat as this process serves it: the rules in force (pin, slow mode, mutes, bans), built
 * from the log and kept current by every entry applied; the members connected here; and what they have
 * not been sent yet, taken a frame at a time.
 */
export class ChatRoom {
  readonly slug: string;
  #appliedId: number;
  #pinned: string | null = null;
  #slowModeSeconds = 0;
  readonly #mutedUntil = new Map<string, number>();
  readonly #banned = new Set<string>();
  /** Slow mode is kept per process: an author connected to two processes at once could post twice as often. */
  readonly #lastMessageAt = new Map<string, number>();
  /**
   * Slow mode per address too, or a new client key would start a new interval. An address gets a few
   * messages per interval, as several attendees behind one carrier NAT share it: their times, oldest first.
   */
  readonly #addressMessages = new Map<string, number[]>();
  readonly #slowModeMessagesPerAddress: number;
  readonly #messageCap: TokenBucket | undefined;
  readonly #members = new Set<ChatMember>();
  #pending: ChatEntry[] = [];
  /** The part of `#pending` that low-data connections get. */
  #pendingLow: ChatEntry[] = [];
  readonly #lowDataSample = new LowDataSample();
  /** Attendees on other processes, as of the last presence report. */
  #elsewhere = 0;
  #sentAttendees = 0;
  #attendeesSentAt = 0;

  /**
   * `moderation` holds the room's past rule entries; `appliedId` is the id up to which the store already
   * held everything when they were read, so entries up to it are not applied twice.
   */
  constructor(
    slug: string,
    moderation: readonly ChatEntry[],
    appliedId: number,
    { slowModeMessagesPerAddress = 1, messageCap }: ChatRoomRules = {},
  ) {
    this.slug = slug;
    this.#slowModeMessagesPerAddress = slowModeMessagesPerAddress;
    this.#messageCap = messageCap;
    for (const entry of moderation) this.#applyRule(entry);
    this.#appliedId = appliedId;
  }

  get attendees(): number {
    return this.#elsewhere + this.#members.size;
  }

  get localAttendees(): number {
    return this.#members.size;
  }

  /** Nobody here and nothing left to send: the room can be dropped and rebuilt from storage when needed. */
  get idle(): boolean {
    return this.#members.size === 0 && this.#pending.length === 0;
  }

  setTotalAttendees(total: number): void {
    this.#elsewhere = Math.max(0, total - this.#members.size);
  }

  join(member: ChatMember): void {
    this.#members.add(member);
  }

  leave(member: ChatMember): void {
    this.#members.delete(member);
  }

  isBanned(authorId: string): boolean {
    return this.#banned.has(authorId);
  }

  bannedAuthors(): string[] {
    return [...this.#banned];
  }

  stateFor(authorId: string, now = Date.now()): ChatState {
    return {
      pinned: this.#pinned,
      slowModeSeconds: this.#slowModeSeconds,
      attendees: this.attendees,
      mutedUntil: this.#muteEnd(authorId, now) ?? null,
    };
  }

  /**
   * Throws unless the member may post now; a post that is let through counts towards slow mode and the
   * room's cap. The organizer is never refused: its messages matter most when the room is flooded.
   */
  admitMessage(member: ChatMember, now = Date.now()): void {
    if (member.role === 'organizer') return;
    const mutedUntil = this.#muteEnd(member.authorId, now);
    if (mutedUntil !== undefined) {
      throw new ForbiddenError(`the organizer muted you until ${new Date(mutedUntil).toISOString()}`);
    }
    if (now < member.mayPostFrom) {
      throw new RateLimitedError(
        `new to this chat: your first message can go in ${Math.ceil((member.mayPostFrom - now) / 1000)} s`,
      );
    }
    const slowMode = this.#checkSlowMode(member, now);
    // Last, so that a message refused for its author's own reasons leaves the room's allowance to others.
    if (this.#messageCap && !this.#messageCap.take()) {
      throw new RateLimitedError(
        `the chat is busy: too many messages at once; try again in ${Math.ceil(this.#messageCap.waitMs() / 1000)} s`,
      );
    }
    if (!slowMode) return;
    this.#lastMessageAt.set(member.authorId, now);
    slowMode.recent.push(now);
    this.#addressMessages.set(member.address, slowMode.recent);
  }

  apply(entry: ChatEntry): void {
    if (entry.id <= this.#appliedId) return;
    this.#appliedId = entry.id;
    this.#applyRule(entry);
    this.#pending.push(entry);
    if (this.#lowDataSample.takes(entry)) this.#pendingLow.push(entry);
    if (entry.kind === 'banned' && entry.banned) {
      for (const member of this.#members) {
        if (member.authorId === entry.authorId && member.role === 'attendee') member.remove();
      }
    }
  }

  /**
   * What to send the members of each feed now, if anything: new entries, and the attendee count when it
   * changed. A feed with nothing new is absent: a low-data connection gets no frame for entries it is
   * not sent.
   */
  takeBatches(now = Date.now()): Partial<Record<ChatFeed, ChatBatch>> {
    const attendees = this.attendees;
    const countChanged = attendees !== this.#sentAttendees;
    const countDue = countChanged && now - this.#attendeesSentAt >= COUNT_ONLY_FRAME_INTERVAL_MS;
    if (this.#pending.length === 0 && !countDue) return {};
    const count = countChanged ? { attendees } : {};
    if (countChanged) {
      this.#sentAttendees = attendees;
      this.#attendeesSentAt = now;
    }
    const batches: Partial<Record<ChatFeed, ChatBatch>> = { full: { entries: this.#pending, ...count } };
    if (this.#pendingLow.length > 0 || countChanged) batches.low = { entries: this.#pendingLow, ...count };
    this.#pending = [];
    this.#pendingLow = [];
    return batches;
  }

  #applyRule(entry: ChatEntry): void {
    switch (entry.kind) {
      case 'pinned':
        this.#pinned = entry.text;
        break;
      case 'slowMode':
        this.#slowModeSeconds = entry.seconds;
        if (entry.seconds === 0) {
          this.#lastMessageAt.clear();
          this.#addressMessages.clear();
        }
        break;
      case 'muted':
        if (entry.until === null) this.#mutedUntil.delete(entry.authorId);
        else this.#mutedUntil.set(entry.authorId, entry.until);
        break;
      case 'banned':
        if (entry.banned) this.#banned.add(entry.authorId);
        else this.#banned.delete(entry.authorId);
        break;
      case 'message':
      case 'deleted':
        break;
    }
  }

  /**
   * Throws when slow mode holds the member back; otherwise the address's recent posts, to add this one to
   * once it is admitted (undefined when slow mode is off).
   */
  #checkSlowMode(member: ChatMember, now: number): { recent: number[] } | undefined {
    if (this.#slowModeSeconds === 0) return undefined;
    const interval = this.#slowModeSeconds * 1000;
    const authorWait = (this.#lastMessageAt.get(member.authorId) ?? -Infinity) + interval - now;
    if (authorWait > 0) {
      throw new RateLimitedError(`slow mode: one message every ${this.#slowModeSeconds} s; wait ${Math.ceil(authorWait / 1000)} s`);
    }
    const recent = (this.#addressMessages.get(member.address) ?? []).filter((at) => at + interval > now);
    if (recent.length >= this.#slowModeMessagesPerAddress) {
      const addressWait = recent[0]! + interval - now;
      throw new RateLimitedError(
        `slow mode: your network has posted its share for now; wait ${Math.ceil(addressWait / 1000)} s`,
      );
    }
    return { recent };
  }

  #muteEnd(authorId: string, now: number): number | undefined {
    const until = this.#mutedUntil.get(authorId);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.#mutedUntil.delete(authorId);
    return undefined;
  }
}
