import { describe, expect, it } from 'vitest';
import { BandwidthEstimator } from '../../../../client/src/player/BandwidthEstimator';
import { assessLink, linkQuality } from '../../../../client/src/player/LinkAssessment';

const VIDEO_NEED = 160_000;

function estimatorAt(bps: number): BandwidthEstimator {
  const estimator = new BandwidthEstimator();
  estimator.sample(0, bps);
  return estimator;
}

describe('assessLink', () => {
  it('has no verdict before any measurement', () => {
    expect(assessLink(new BandwidthEstimator(), VIDEO_NEED)).toBeNull();
  });

  it('calls a 40 kbps link insufficient for video, and 1.5 Mbps sufficient', () => {
    expect(assessLink(estimatorAt(40_000), VIDEO_NEED)).toBe('insufficient');
    expect(assessLink(estimatorAt(1_500_000), VIDEO_NEED)).toBe('sufficient');
  });

  it('leaves a band between the two thresholds in which nothing changes', () => {
    expect(assessLink(estimatorAt(200_000), VIDEO_NEED)).toBe('marginal');
  });

  it('needs the slow average to agree before calling the link sufficient', () => {
    const estimator = new BandwidthEstimator({ fastHalfLifeMs: 1_000, slowHalfLifeMs: 5_000 });
    estimator.sample(0, 40_000);
    estimator.sample(500, 1_500_000);
    expect(estimator.fastBps!).toBeGreaterThan(VIDEO_NEED * 2);
    expect(assessLink(estimator, VIDEO_NEED)).toBe('marginal');
  });
});

describe('linkQuality', () => {
  it('words the estimate against what video and sound need', () => {
    expect(linkQuality(null, VIDEO_NEED, 40_000)).toBe('unknown');
    expect(linkQuality(1_500_000, VIDEO_NEED, 40_000)).toBe('good');
    expect(linkQuality(300_000, VIDEO_NEED, 40_000)).toBe('fair');
    expect(linkQuality(64_000, VIDEO_NEED, 40_000)).toBe('weak');
    expect(linkQuality(20_000, VIDEO_NEED, 40_000)).toBe('very weak');
  });
});
