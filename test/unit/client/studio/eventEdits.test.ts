import { describe, expect, it } from 'vitest';
import { editFromForm, isNewer, localInputValue } from '../../../../client/src/studio/eventEdits';
import { publicEvent } from '../../../helpers/publicEvent';

const event = publicEvent({ title: 'Rally', scheduledAt: '2030-01-01T10:00:30.000Z', revision: 2 });

describe('the studio’s edit form', () => {
  it('sends the title on the revision it showed, and the time only when the organizer changed it', () => {
    const shown = localInputValue(event.scheduledAt);
    expect(shown).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    expect(editFromForm(event, 'Evening rally', shown)).toEqual({ title: 'Evening rally', revision: 2 });
    expect(editFromForm(event, 'Rally', '')).toEqual({ title: 'Rally', revision: 2, scheduledAt: null });
    const moved = editFromForm(event, 'Rally', '2030-02-01T18:30');
    expect(moved.scheduledAt).toBe(new Date('2030-02-01T18:30').toISOString());
  });

  it('shows no time for an event without one', () => {
    expect(localInputValue(null)).toBe('');
  });

  it('takes an event as news unless it is an older revision of the one shown', () => {
    expect(isNewer(null, event)).toBe(true);
    expect(isNewer(event, { ...event, revision: 3 })).toBe(true);
    expect(isNewer(event, { ...event, revision: 2 })).toBe(true);
    expect(isNewer({ ...event, revision: 3 }, event)).toBe(false);
    expect(isNewer(event, { ...event, slug: 'other-1234abcd', revision: 0 })).toBe(true);
  });
});
