import { describe, expect, it } from 'vitest';
import { UploadSlots } from '../../../../server/http/UploadSlots';

describe('UploadSlots', () => {
  it('takes one upload per event: a second for the same event is a conflict', () => {
    const slots = new UploadSlots(4);
    slots.reserve('rally');
    expect(() => slots.reserve('rally')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(slots.inFlight).toBe(1);
  });

  it('refuses uploads past the capacity with a reason the studio can tell apart', () => {
    const slots = new UploadSlots(2);
    slots.reserve('a');
    slots.reserve('b');
    expect(() => slots.reserve('c')).toThrow(expect.objectContaining({ code: 'UNAVAILABLE', reason: 'uploadsBusy' }));
  });

  it('gives a slot back once, however often its release is called', () => {
    const slots = new UploadSlots(2);
    const releaseA = slots.reserve('a');
    slots.reserve('b');
    releaseA();
    releaseA();
    expect(slots.inFlight).toBe(1);
    slots.reserve('a');
    expect(() => slots.reserve('c')).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });
});
