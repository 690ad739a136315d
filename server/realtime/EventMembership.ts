import type { PublicEvent } from '../../shared/events';
import type { Role } from '../../shared/signalling';
import { ForbiddenError, InvalidStateError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import { hashKey } from '../events/organizerKeys';

/** Which event a connection follows, and as whom: one value, replaced whole, never field by field. */
export interface Membership {
  readonly slug: string;
  readonly role: Role;
  /**
   * For an organizer, the hash of the key that admitted it (never the key): asked about again before
   * every organizer action and whenever keys change, so a rotated or revoked key stops working at once.
   */
  readonly keyHash?: string;
}

/** What admitting a connection needs to know about events. */
export type MembershipEvents = Pick<EventService, 'isMirror' | 'ensure' | 'get' | 'keyHashRuns'>;

/** The part of a Socket.io socket that a membership moves between channels. */
export interface ChannelSocket {
  readonly disconnected: boolean;
  join(channel: string): Promise<void> | void;
  leave(channel: string): Promise<void> | void;
  /** Leaves the namespace: how an organizer whose key stopped working loses its role and channels. */
  disconnect(): unknown;
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
    if (key === undefined) return { event, membership: { slug, role: 'attendee' } };
    const keyHash = hashKey(key);
    if (!this.#events.keyHashRuns(slug, keyHash)) throw new UnauthorizedError();
    return { event, membership: { slug, role: 'organizer', keyHash } };
  }

  /**
   * The membership, when it is an organizer's whose key still runs the event.
   * @throws ForbiddenError otherwise, also when the key was rotated or revoked since it joined.
   */
  organizer(): Membership {
    const membership = this.#current;
    if (membership?.role !== 'organizer' || !this.stillValid(membership)) throw new ForbiddenError();
    return membership;
  }

  /** False for an organizer's membership whose key no longer runs its event. */
  stillValid(membership: Membership): boolean {
    if (membership.role !== 'organizer') return true;
    return membership.keyHash !== undefined && this.#events.keyHashRuns(membership.slug, membership.keyHash);
  }

  /** Disconnects the connection when its organizer key stopped working; true when it did. */
  dropIfRevoked(): boolean {
    if (!this.#current || this.stillValid(this.#current)) return false;
    this.#socket.disconnect();
    return true;
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

/**
 * The memberships of one namespace's connections. When keys change, the organizers whose key stopped
 * working are disconnected at once, not only refused at their next action.
 */
export class NamespaceMemberships {
  readonly #events: Pick<EventService, 'on' | 'off'>;
  readonly #all = new Set<EventMembership>();

  constructor(events: Pick<EventService, 'on' | 'off'>) {
    this.#events = events;
    events.on('keysChanged', this.#check);
  }

  add(membership: EventMembership): void {
    this.#all.add(membership);
  }

  delete(membership: EventMembership): void {
    this.#all.delete(membership);
  }

  close(): void {
    this.#events.off('keysChanged', this.#check);
  }

  readonly #check = (slug?: string): void => {
    for (const membership of this.#all) {
      if (slug === undefined || membership.current?.slug === slug) membership.dropIfRevoked();
    }
  };
}
