import type { PublicEvent } from '../../shared/events';
import type { Role } from '../../shared/signalling';
import { InvalidStateError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';

/** Which event a connection follows, and as whom: one value, replaced whole, never field by field. */
export interface Membership {
  readonly slug: string;
  readonly role: Role;
}

/** What admitting a connection needs to know about events. */
export type MembershipEvents = Pick<EventService, 'isMirror' | 'ensure' | 'get' | 'isOrganizer'>;

/** The part of a Socket.io socket that a membership moves between channels. */
export interface ChannelSocket {
  readonly disconnected: boolean;
  join(channel: string): Promise<void> | void;
  leave(channel: string): Promise<void> | void;
}

export interface Admission {
  event: PublicEvent;
  membership: Membership;
}

export interface EventMembershipOptions {
  /** The Socket.io rooms a member hears, e.g. the event's notifications and, for organizers, their own. */
  channels: (membership: Membership) => readonly string[];
  /** Told every membership this connection enters, e.g. to count it in the audience. */
  entered?: (membership: Membership) => void;
}

/**
 * One connection's membership of an event, the same for every namespace: who it may join as
 * ({@link admit}), then the membership itself and the channels it hears ({@link enter}, {@link leave}).
 * Callers finish a join with the membership they were admitted with, never by reading fields that a
 * concurrent join of the same connection may have changed meanwhile.
 */
export class EventMembership {
  readonly #socket: ChannelSocket;
  readonly #events: MembershipEvents;
  readonly #options: EventMembershipOptions;
  #current: Membership | undefined;

  constructor(socket: ChannelSocket, events: MembershipEvents, options: EventMembershipOptions) {
    this.#socket = socket;
    this.#events = events;
    this.#options = options;
  }

  get current(): Membership | undefined {
    return this.#current;
  }

  /** False once a later join, or leaving, replaced `membership`: what it was for now belongs to nobody. */
  holds(membership: Membership): boolean {
    return this.#current?.slug === membership.slug && this.#current.role === membership.role;
  }

  /** Decides whether and as whom the connection may join: an organizer key must be the event's. */
  async admit(slug: string, key: string | undefined): Promise<Admission> {
    // Events are run at the origin; refused before asking the origin anything.
    if (key !== undefined && this.#events.isMirror) {
      throw new UnauthorizedError('organizers connect to the origin server, not an edge');
    }
    // On an edge the event may not have been copied from the origin yet.
    await this.#events.ensure(slug);
    const event = this.#events.get(slug);
    if (key !== undefined && !this.#events.isOrganizer(slug, key)) throw new UnauthorizedError();
    return { event, membership: { slug, role: key === undefined ? 'attendee' : 'organizer' } };
  }

  /**
   * Makes `membership` this connection's. The channels it no longer hears are left and the new ones
   * joined in the same step, so whichever of two joins finishes last, the channels are those of the
   * current membership; the promise settles when the adapter has applied them.
   * @throws InvalidStateError when the connection is already gone: its disconnect cleared what it had.
   */
  enter(membership: Membership): Promise<void> {
    if (this.#socket.disconnected) throw new InvalidStateError('the connection closed');
    const before = this.#heard();
    this.#current = membership;
    const after = this.#heard();
    this.#options.entered?.(membership);
    return settle([
      ...before.filter((channel) => !after.includes(channel)).map((channel) => this.#socket.leave(channel)),
      ...after.filter((channel) => !before.includes(channel)).map((channel) => this.#socket.join(channel)),
    ]);
  }

  leave(): Promise<void> {
    const before = this.#heard();
    this.#current = undefined;
    return settle(before.map((channel) => this.#socket.leave(channel)));
  }

  #heard(): readonly string[] {
    return this.#current ? this.#options.channels(this.#current) : [];
  }
}

async function settle(results: (Promise<void> | void)[]): Promise<void> {
  await Promise.all(results);
}
