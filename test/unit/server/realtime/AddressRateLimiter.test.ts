import { describe, expect, it } from 'vitest';
import { AddressRateLimiter } from '../../../../server/realtime/AddressRateLimiter';

describe('AddressRateLimiter', () => {
  it('shares one allowance among all connections of an address', () => {
    let now = 0;
    const limiter = new AddressRateLimiter(2, 1, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([true, true, false, true]);
    now = 1000;
    expect([limiter.take('a'), limiter.take('a')]).toEqual([true, false]);
    expect([limiter.waitMs('a'), limiter.waitMs('b'), limiter.waitMs('never seen')]).toEqual([1000, 0, 0]);
  });
});
