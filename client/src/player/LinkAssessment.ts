import type { BandwidthEstimator } from './BandwidthEstimator';
import type { LinkVerdict } from './ModeController';

/** Below what the lowest video rung needs, video goes: it would only starve the speech. */
const DOWN_FACTOR = 1;
/** Video comes back only with this much room above its need: a link that barely fits it would stall. */
export const VIDEO_UP_FACTOR = 1.6;

/** Compares the estimate with what the lowest video rung (including its sound) needs. */
export function assessLink(estimator: BandwidthEstimator, videoNeedBps: number): LinkVerdict | null {
  const fast = estimator.fastBps;
  const cautious = estimator.cautiousBps;
  if (fast === null || cautious === null) return null;
  if (fast < videoNeedBps * DOWN_FACTOR) return 'insufficient';
  if (cautious >= videoNeedBps * VIDEO_UP_FACTOR) return 'sufficient';
  return 'marginal';
}

/** The connection in the words the attendee sees. */
export type LinkQuality = 'unknown' | 'good' | 'fair' | 'weak' | 'very weak';

/**
 * `good` carries the middle rung with room, `fair` the lowest video rung, `weak` only the sound, and
 * `very weak` not even that steadily.
 */
export function linkQuality(bps: number | null, videoNeedBps: number, audioNeedBps: number): LinkQuality {
  if (bps === null) return 'unknown';
  if (bps >= videoNeedBps * 4) return 'good';
  if (bps >= videoNeedBps) return 'fair';
  if (bps >= audioNeedBps) return 'weak';
  return 'very weak';
}

/** A rate as a decision's detail shows it. */
export function kbps(bps: number | null): string {
  return bps === null ? '? kbps' : `${Math.round(bps / 1000)} kbps`;
}
