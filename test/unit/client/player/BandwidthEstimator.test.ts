import { describe, expect, it } from 'vitest';
import { BandwidthEstimator } from '../../../../client/src/player/BandwidthEstimator';

const options = { fastHalfLifeMs: 1_000, slowHalfLifeMs: 5_000 };

describe('BandwidthEstimator', () => {
  it('knows nothing before its first sample, then takes it as the estimate', () => {
    const estimator = new BandwidthEstimator(options);
    expect(estimator.fastBps).toBeNull();
    expect(estimator.cautiousBps).toBeNull();
    estimator.sample(0, 1_000_000);
    expect(estimator.fastBps).toBe(1_000_000);
    expect(estimator.cautiousBps).toBe(1_000_000);
  });

  it('moves halfway to a new level after one half-life of wall-clock time, whatever the sample count', () => {
    const few = new BandwidthEstimator(options);
    few.sample(0, 1_000_000);
    few.sample(1_000, 0);
    const many = new BandwidthEstimator(options);
    many.sample(0, 1_000_000);
    for (let t = 100; t <= 1_000; t += 100) many.sample(t, 0);
    expect(few.fastBps).toBeCloseTo(500_000, -2);
    expect(many.fastBps).toBeCloseTo(500_000, -2);
  });

  it('drops quickly on a collapse but rises only as fast as its slow average allows', () => {
    const estimator = new BandwidthEstimator(options);
    estimator.sample(0, 1_500_000);
    for (let t = 500; t <= 3_000; t += 500) estimator.sample(t, 40_000);
    expect(estimator.fastBps!).toBeLessThan(250_000);
    expect(estimator.cautiousBps).toBe(estimator.fastBps);

    for (let t = 3_500; t <= 10_000; t += 500) estimator.sample(t, 40_000);
    for (let t = 10_500; t <= 12_500; t += 500) estimator.sample(t, 1_500_000);
    expect(estimator.fastBps!).toBeGreaterThan(1_000_000);
    expect(estimator.cautiousBps!).toBeLessThan(1_000_000);
  });
});
