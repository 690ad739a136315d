import type { PublicEvent } from '../../../shared/events';

/** A cancelled event with no time of its own stays on the home page this long after it was cancelled. */
const CANCELLED_SHOWN_MS = 24 * 60 * 60 * 1000;

export interface HomeSections {
  live: PublicEvent[];
  /** Scheduled events, and cancelled ones an attendee may still be waiting for, in the order they were due. */
  upcoming: PublicEvent[];
}

/** Upcoming events in the order they will happen; unscheduled ones last. */
function byScheduledTime(a: PublicEvent, b: PublicEvent): number {
  if (a.scheduledAt === b.scheduledAt) return 0;
  if (a.scheduledAt === null) return 1;
  if (b.scheduledAt === null) return -1;
  return Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt);
}

/**
 * Whether attendees may still expect a cancelled event: it was due in the future, or (without a time)
 * was called off recently. Shown as cancelled, so nobody waits for it; once past, it simply leaves.
 */
function stillExpected(event: PublicEvent, now: number): boolean {
  if (event.scheduledAt !== null) return Date.parse(event.scheduledAt) > now;
  return event.endedAt !== null && now - Date.parse(event.endedAt) < CANCELLED_SHOWN_MS;
}

/** What the home page lists, given the clock (`now`, ms) so that it is decided the same way in tests. */
export function homeSections(events: readonly PublicEvent[], now: number): HomeSections {
  return {
    live: events.filter((event) => event.status === 'live'),
    upcoming: events
      .filter((event) => event.status === 'scheduled' || (event.status === 'cancelled' && stillExpected(event, now)))
      .sort(byScheduledTime),
  };
}
