import { describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { assertDeletable, decideCancel, decideEdit } from '../../../../server/events/eventChanges';
import { publicEvent } from '../../../helpers/publicEvent';

function event(overrides: Partial<PublicEvent> = {}): PublicEvent {
  return publicEvent({ title: 'Rally', scheduledAt: '2030-01-01T10:00:00.000Z', revision: 3, ...overrides });
}

describe('decideEdit', () => {
  it('changes the title and the time, keeping what the edit does not name', () => {
    expect(decideEdit(event(), { title: 'Evening rally', revision: 3 })).toEqual({
      changed: true,
      title: 'Evening rally',
      scheduledAt: '2030-01-01T10:00:00.000Z',
    });
    expect(decideEdit(event(), { scheduledAt: null })).toEqual({ changed: true, title: 'Rally', scheduledAt: null });
  });

  it('treats the same moment written in another offset as no change, whatever the revision', () => {
    expect(decideEdit(event(), { scheduledAt: '2030-01-01T15:00:00+05:00', revision: 0 })).toEqual({ changed: false });
    expect(decideEdit(event({ status: 'cancelled' }), { title: 'Rally' })).toEqual({ changed: false });
  });

  it('refuses a change made on an older revision', () => {
    expect(() => decideEdit(event(), { title: 'Late', revision: 2 })).toThrow(/changed meanwhile/);
  });

  it('moves the time only before the event starts, and corrects the title in any state but cancelled', () => {
    expect(() => decideEdit(event({ status: 'live' }), { scheduledAt: null })).toThrow(/rescheduled/);
    expect(() => decideEdit(event({ status: 'ended' }), { scheduledAt: null })).toThrow(/rescheduled/);
    expect(decideEdit(event({ status: 'ended' }), { title: 'Rally (recording)' })).toMatchObject({ changed: true });
    expect(() => decideEdit(event({ status: 'cancelled' }), { title: 'Back on' })).toThrow(/cancelled/);
  });
});

describe('decideCancel and assertDeletable', () => {
  it('cancels a scheduled event once, and refuses one that went live or ended', () => {
    expect(decideCancel(event())).toBe(true);
    expect(decideCancel(event({ status: 'cancelled' }))).toBe(false);
    expect(() => decideCancel(event({ status: 'live' }))).toThrow(/live/);
    expect(() => decideCancel(event({ status: 'ended' }))).toThrow(/ended/);
  });

  it('refuses to delete a live event, and only a live one', () => {
    expect(() => assertDeletable(event({ status: 'live' }))).toThrow(/end it before deleting/);
    for (const status of ['scheduled', 'ended', 'cancelled'] as const) expect(() => assertDeletable(event({ status }))).not.toThrow();
  });
});
