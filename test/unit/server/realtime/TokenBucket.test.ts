import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../server/realtime/TokenBucket';

describe('TokenBucket', () => {
  it('allows a burst, then refuses until tokens refill at the given rate', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('says how long until the next token', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 4, () => now);
    expect(bucket.waitMs()).toBe(0);
    bucket.take();
    expect(bucket.waitMs()).toBe(250);
    now += 100;
    expect(bucket.waitMs()).toBe(150);
  });
});
