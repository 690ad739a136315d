import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { createLogger } from '../../../../server/logger';
import { OrganizerAbsence } from '../../../../server/sfu/OrganizerAbsence';

const GRACE_MS = 60_000;
const SETTLE_MS = 1_000;

/** The events as the absence watch sees them: one live event, ended as EventService would. */
class FakeEvents extends EventEmitter<{ updated: [PublicEvent] }> {
  status: PublicEvent['status'] = 'live';
  get() {
    return { status: this.status };
  }
  end(slug: string) {
    this.status = 'ended';
    this.emit('updated', { slug, status: 'ended' } as PublicEvent);
  }
}

let events: FakeEvents;
let fileBroadcasting: boolean;
let absence: OrganizerAbsence;
let changes: boolean[];
let gaps: Array<[number, number]>;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  events = new FakeEvents();
  fileBroadcasting = false;
  absence = new OrganizerAbsence(
    events,
    { graceMs: GRACE_MS, settleMs: SETTLE_MS, fileBroadcasting: () => fileBroadcasting },
    createLogger('silent'),
  );
  changes = [];
  gaps = [];
  absence.on('changed', (_slug, away) => changes.push(away));
  absence.on('gap', (_slug, from, to) => gaps.push([from, to]));
});
afterEach(() => {
  absence.close();
  vi.useRealTimers();
});

describe('OrganizerAbsence', () => {
  it('declares the organizer away once their only connection has been gone a moment, and marks the gap when they return', () => {
    const link = absence.arrive('rally');
    link.leave();
    expect(absence.isAway('rally')).toBe(false);
    vi.advanceTimersByTime(SETTLE_MS);
    expect(absence.isAway('rally')).toBe(true);
    expect(changes).toEqual([true]);
    vi.advanceTimersByTime(5_000);
    absence.arrive('rally');
    expect(absence.isAway('rally')).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(gaps).toEqual([[1_000_000, 1_000_000 + SETTLE_MS + 5_000]]);
    expect(events.status).toBe('live');
  });

  it('tells nobody of a connection handing over to a new one within the settle time', () => {
    absence.arrive('rally').leave();
    vi.advanceTimersByTime(SETTLE_MS / 2);
    absence.arrive('rally');
    vi.advanceTimersByTime(GRACE_MS * 2);
    expect(changes).toEqual([]);
    expect(gaps).toEqual([]);
    expect(events.status).toBe('live');
  });

  it('counts a send transport whose ICE went quiet as the organizer away, and its return as back', () => {
    const link = absence.arrive('rally');
    link.setConnected(false);
    vi.advanceTimersByTime(SETTLE_MS);
    expect(absence.isAway('rally')).toBe(true);
    link.setConnected(true);
    expect(absence.isAway('rally')).toBe(false);
    expect(gaps).toHaveLength(1);
  });

  it('stays present while a second organizer connection is up', () => {
    absence.arrive('rally');
    absence.arrive('rally').leave();
    vi.advanceTimersByTime(SETTLE_MS * 2);
    expect(changes).toEqual([]);
  });

  it('ends the event when the organizer does not return within the grace period, the gap running to the end', () => {
    absence.arrive('rally').leave();
    vi.advanceTimersByTime(SETTLE_MS + GRACE_MS - 1);
    expect(events.status).toBe('live');
    vi.advanceTimersByTime(1);
    expect(events.status).toBe('ended');
    expect(gaps).toEqual([[1_000_000, 1_000_000 + SETTLE_MS + GRACE_MS]]);
    expect(absence.isAway('rally')).toBe(false);
  });

  it('waits for ever with a grace of 0', () => {
    absence.close();
    absence = new OrganizerAbsence(events, { graceMs: 0, settleMs: SETTLE_MS }, createLogger('silent'));
    absence.arrive('rally').leave();
    vi.advanceTimersByTime(24 * 3600_000);
    expect(absence.isAway('rally')).toBe(true);
    expect(events.status).toBe('live');
  });

  it('misses nobody while a prepared file carries the event, nor once the event is over', () => {
    fileBroadcasting = true;
    absence.arrive('rally').leave();
    vi.advanceTimersByTime(SETTLE_MS + GRACE_MS);
    expect(changes).toEqual([]);
    expect(events.status).toBe('live');

    fileBroadcasting = false;
    events.end('rally');
    absence.arrive('rally').leave();
    vi.advanceTimersByTime(SETTLE_MS + GRACE_MS);
    expect(changes).toEqual([]);
  });

  it('ignores a link reporting again after it left', () => {
    const link = absence.arrive('rally');
    link.leave();
    link.leave();
    link.setConnected(true);
    vi.advanceTimersByTime(SETTLE_MS);
    expect(absence.isAway('rally')).toBe(true);
  });
});
