import { describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { EventEmitter } from 'node:events';
import { ForbiddenError, InvalidStateError, NotFoundError, UnauthorizedError } from '../../../../server/errors';
import { hashKey } from '../../../../server/events/organizerKeys';
import {
  EventMembership,
  type ChannelSocket,
  type Membership,
  type MembershipEvents,
  NamespaceMemberships,
} from '../../../../server/realtime/EventMembership';
import { publicEvent } from '../../../helpers/publicEvent';

const KEY = 'the-event-key';
/** What an organizer admitted with {@link KEY} holds: the key's hash, never the key. */
const organizerOf = (slug: string): Membership => ({ slug, role: 'organizer', keyHash: hashKey(KEY) });

/** Events by slug, each with the key that runs it; `ensure` waits for `release` when one is given. */
class FakeEvents implements MembershipEvents {
  isMirror = false;
  /** The key that runs every event; replace it to rotate. */
  key = KEY;
  readonly calls: string[] = [];
  readonly #events = new Map<string, PublicEvent>();
  readonly #held = new Map<string, Promise<void>>();

  add(slug: string): void {
    this.#events.set(slug, publicEvent({ slug }));
  }

  /** Makes `ensure(slug)` wait until the returned function is called, as a slow origin would. */
  holdCopy(slug: string): () => void {
    let release = () => {};
    this.#held.set(slug, new Promise<void>((resolve) => (release = resolve)));
    return release;
  }

  async ensure(slug: string): Promise<void> {
    this.calls.push(`ensure ${slug}`);
    await this.#held.get(slug);
  }

  get(slug: string): PublicEvent {
    this.calls.push(`get ${slug}`);
    const event = this.#events.get(slug);
    if (!event) throw new NotFoundError('event');
    return event;
  }

  keyHashRuns(slug: string, keyHash: string): boolean {
    return !this.isMirror && this.#events.has(slug) && keyHash === hashKey(this.key);
  }
}

class FakeSocket implements ChannelSocket {
  disconnected = false;
  disconnects = 0;
  readonly channels = new Set<string>();
  readonly log: string[] = [];

  join(channel: string): void {
    this.log.push(`join ${channel}`);
    this.channels.add(channel);
  }

  leave(channel: string): void {
    this.log.push(`leave ${channel}`);
    this.channels.delete(channel);
  }

  disconnect(): void {
    this.disconnects += 1;
    this.disconnected = true;
  }
}

function channels({ slug, role }: Membership): string[] {
  return role === 'organizer' ? [`event:${slug}`, `organizers:${slug}`] : [`event:${slug}`];
}

function setUp() {
  const events = new FakeEvents();
  events.add('rally');
  events.add('other');
  const socket = new FakeSocket();
  const entered: Membership[] = [];
  const membership = new EventMembership(socket, events, { channels, entered: (m) => entered.push(m) });
  const join = async (slug: string, key?: string) => {
    const admission = await membership.admit(slug, key);
    await membership.enter(admission.membership);
    return admission;
  };
  return { events, socket, membership, entered, join };
}

describe('EventMembership', () => {
  it('admits a connection without a key as an attendee, and with the event’s key as its organizer', async () => {
    const { membership } = setUp();
    const attendee = await membership.admit('rally', undefined);
    expect(attendee.membership).toEqual({ slug: 'rally', role: 'attendee' });
    expect(attendee.event.slug).toBe('rally');
    expect((await membership.admit('rally', KEY)).membership).toEqual(organizerOf('rally'));
  });

  it('refuses a key that does not run the event', async () => {
    const { membership } = setUp();
    await expect(membership.admit('rally', 'a-guessed-key')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses organizers on an edge without asking the origin', async () => {
    const { events, membership } = setUp();
    events.isMirror = true;
    await expect(membership.admit('rally', KEY)).rejects.toThrow(/connect to the origin/);
    expect(events.calls).toEqual([]);
    expect((await membership.admit('rally', undefined)).membership.role).toBe('attendee');
  });

  it('copies the event from the origin before deciding it does not exist', async () => {
    const { events, membership } = setUp();
    await expect(membership.admit('unknown', undefined)).rejects.toBeInstanceOf(NotFoundError);
    expect(events.calls).toEqual(['ensure unknown', 'get unknown']);
  });

  it('makes the connection hear exactly its membership’s channels as it moves between events and roles', async () => {
    const { socket, membership, join } = setUp();
    await join('rally', KEY);
    expect([...socket.channels].sort()).toEqual(['event:rally', 'organizers:rally']);
    socket.log.length = 0;
    await join('rally');
    // Still following the event: only the organizers' channel is left.
    expect(socket.log).toEqual(['leave organizers:rally']);
    await join('other');
    expect([...socket.channels]).toEqual(['event:other']);
    expect(membership.current).toEqual({ slug: 'other', role: 'attendee' });
    await membership.leave();
    expect(socket.channels.size).toBe(0);
    expect(membership.current).toBeUndefined();
  });

  it('leaves one socket organizer of the event it joined last, whichever admission finishes first', async () => {
    const { events, socket, membership, entered, join } = setUp();
    const releaseRally = events.holdCopy('rally');
    const asOrganizer = join('rally', KEY);
    const asAttendee = join('other');
    await asAttendee;
    releaseRally();
    const { membership: organizer } = await asOrganizer;
    expect(membership.current).toEqual(organizerOf('rally'));
    expect([...socket.channels].sort()).toEqual(['event:rally', 'organizers:rally']);
    expect(entered).toEqual([{ slug: 'other', role: 'attendee' }, organizerOf('rally')]);
    expect(membership.holds(organizer)).toBe(true);
    expect(membership.holds({ slug: 'other', role: 'attendee' })).toBe(false);
  });

  it('no longer holds a membership that a later join replaced', async () => {
    const { membership, join } = setUp();
    const { membership: first } = await join('rally', KEY);
    await join('rally');
    expect(membership.holds(first)).toBe(false);
  });

  it('does not enter for a connection that closed while it was being admitted', async () => {
    const { socket, membership, entered } = setUp();
    const admission = await membership.admit('rally', KEY);
    socket.disconnected = true;
    expect(() => membership.enter(admission.membership)).toThrow(InvalidStateError);
    expect(socket.channels.size).toBe(0);
    expect(membership.current).toBeUndefined();
    expect(entered).toEqual([]);
  });

  it('refuses organizer actions once the key that admitted the organizer was rotated', async () => {
    const { events, membership, join } = setUp();
    await join('rally', KEY);
    expect(membership.organizer()).toEqual(organizerOf('rally'));
    events.key = 'the-rotated-key';
    expect(() => membership.organizer()).toThrow(ForbiddenError);
  });

  it('refuses organizer actions to an attendee', async () => {
    const { membership, join } = setUp();
    expect(() => membership.organizer()).toThrow(ForbiddenError);
    await join('rally');
    expect(() => membership.organizer()).toThrow(ForbiddenError);
  });
});

describe('NamespaceMemberships', () => {
  it('disconnects the organizers whose key stopped working when keys change, and nobody else', async () => {
    const changes = new EventEmitter();
    const memberships = new NamespaceMemberships(changes as never);
    const organizer = setUp();
    const attendee = setUp();
    const elsewhere = setUp();
    for (const { membership } of [organizer, attendee, elsewhere]) memberships.add(membership);
    await organizer.join('rally', KEY);
    await attendee.join('rally');
    await elsewhere.join('other', KEY);
    changes.emit('keysChanged', 'rally');
    expect(organizer.socket.disconnects).toBe(0);
    organizer.events.key = elsewhere.events.key = 'the-rotated-key';
    changes.emit('keysChanged', 'rally');
    expect([organizer, attendee, elsewhere].map(({ socket }) => socket.disconnects)).toEqual([1, 0, 0]);
    // The instance key changing concerns every event.
    changes.emit('keysChanged');
    expect(elsewhere.socket.disconnects).toBe(1);
    memberships.close();
    expect(changes.listenerCount('keysChanged')).toBe(0);
  });
});
