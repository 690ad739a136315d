import { describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { homeSections } from '../../../../client/src/home/homeSections';
import { publicEvent } from '../../../helpers/publicEvent';

const NOW = Date.parse('2030-01-01T12:00:00Z');

function event(slug: string, overrides: Partial<PublicEvent>): PublicEvent {
  return publicEvent({ slug, ...overrides });
}

describe('what the home page lists', () => {
  it('lists live events, then scheduled ones in the order they are due, unscheduled last, and no ended one', () => {
    const { live, upcoming } = homeSections(
      [
        event('later', { scheduledAt: '2030-01-03T00:00:00Z' }),
        event('unscheduled', {}),
        event('on-air', { status: 'live' }),
        event('sooner', { scheduledAt: '2030-01-02T00:00:00Z' }),
        event('over', { status: 'ended' }),
      ],
      NOW,
    );
    expect(live.map((e) => e.slug)).toEqual(['on-air']);
    expect(upcoming.map((e) => e.slug)).toEqual(['sooner', 'later', 'unscheduled']);
  });

  it('keeps a cancelled event in its place while attendees may still expect it, then drops it', () => {
    const events = [
      event('due-later', { status: 'cancelled', scheduledAt: '2030-01-02T00:00:00Z', endedAt: '2029-12-31T00:00:00Z' }),
      event('was-due', { status: 'cancelled', scheduledAt: '2030-01-01T11:00:00Z', endedAt: '2029-12-31T00:00:00Z' }),
      event('untimed-recent', { status: 'cancelled', endedAt: '2030-01-01T06:00:00Z' }),
      event('untimed-old', { status: 'cancelled', endedAt: '2029-12-30T06:00:00Z' }),
    ];
    expect(homeSections(events, NOW).upcoming.map((e) => e.slug)).toEqual(['due-later', 'untimed-recent']);
  });
});
