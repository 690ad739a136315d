import { describe, expect, it } from 'vitest';
import { jittered } from '../../../../client/src/lib/jittered';

describe('jittered', () => {
  it('spreads a delay over half to one and a half times itself', () => {
    expect(jittered(3_000, () => 0)).toBe(1_500);
    expect(jittered(3_000, () => 0.5)).toBe(3_000);
    expect(jittered(3_000, () => 0.999)).toBe(4_497);
  });

  it('gives clients refused together different delays', () => {
    const delays = new Set(Array.from({ length: 50 }, () => jittered(5_000)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(2_500);
  });
});
