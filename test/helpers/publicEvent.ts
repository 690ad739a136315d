import type { PublicEvent } from '../../shared/events';

/** An event as the server describes it, scheduled and untouched unless `overrides` say otherwise. */
export function publicEvent(overrides: Partial<PublicEvent> = {}): PublicEvent {
  const slug = overrides.slug ?? 'rally-1234abcd';
  return {
    slug,
    title: slug,
    status: 'scheduled',
    scheduledAt: null,
    startedAt: null,
    endedAt: null,
    createdAt: '2029-12-01T00:00:00.000Z',
    revision: 0,
    ...overrides,
  };
}
