import { describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { InvalidStateError, NotFoundError, UnauthorizedError } from '../../../../server/errors';
import {
  EventMembership,
  type ChannelSocket,
  type Membership,
  type MembershipEvents,
} from '../../../../server/realtime/EventMembership';

const KEY = 'the-event-key';

/** Events by slug, each with the key that runs it; `ensure` waits for `release` when one is given. */
class FakeEvents implements MembershipEvents {
  isMirror = false;
  readonly calls: string[] = [];
  readonly #events = new Map<string, PublicEvent>();
  readonly #held = new Map<string, Promise<void>>();

  add(slug: string): void {
    this.#events.set(slug, {
      slug,
      title: slug,
      status: 'scheduled',
      scheduledAt: null,
      startedAt: null,
      endedAt: null,
      createdAt: new Date(0).toISOString(),
    });
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

  isOrganizer(slug: string, key: string): boolean {
    return !this.isMirror && this.#events.has(slug) && key === KEY;
  }
}

class FakeSocket implements ChannelSocket {
  disconnected = false;
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
    expect((await membership.admit('rally', KEY)).membership).toEqual({ slug: 'rally', role: 'organizer' });
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
    expect(membership.current).toEqual({ slug: 'rally', role: 'organizer' });
    expect([...socket.channels].sort()).toEqual(['event:rally', 'organizers:rally']);
    expect(entered).toEqual([
      { slug: 'other', role: 'attendee' },
      { slug: 'rally', role: 'organizer' },
    ]);
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
});
