import { describe, expect, it } from 'vitest';
import { studioKeyAfterChange } from '../../../../client/src/studio/organizerKeys';

const INSTANCE = 'instance-key-instance-key-instance-key';
const OLD_EVENT = 'old-event-key-old-event-key-old-event';
const NEW_EVENT = 'new-event-key-new-event-key-new-event';

describe('the key a studio tab runs its event with after the event key changed', () => {
  it('takes the new event key when the tab ran on the rotated one', () => {
    expect(studioKeyAfterChange(OLD_EVENT, INSTANCE, NEW_EVENT)).toBe(NEW_EVENT);
    expect(studioKeyAfterChange(OLD_EVENT, null, NEW_EVENT)).toBe(NEW_EVENT);
  });

  it('has no key left when the tab ran on the revoked event key', () => {
    expect(studioKeyAfterChange(OLD_EVENT, INSTANCE, null)).toBeNull();
    expect(studioKeyAfterChange(OLD_EVENT, null, null)).toBeNull();
  });

  it('keeps the instance key, which neither rotation nor revocation changes', () => {
    expect(studioKeyAfterChange(INSTANCE, INSTANCE, NEW_EVENT)).toBe(INSTANCE);
    expect(studioKeyAfterChange(INSTANCE, INSTANCE, null)).toBe(INSTANCE);
  });
});
