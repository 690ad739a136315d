import { kbps } from './LinkAssessment';
import type { Judgement } from './ModeController';

/** The video fragment being loaded, as its loader's stats stand. Times are `performance.now()` ms. */
export interface FragmentLoad {
  startMs: number;
  /** 0 while no byte has arrived. */
  firstByteMs: number;
  loadedBytes: number;
  /** Its size: the answer's Content-Length, or before the headers its rung's bitrate × its duration. */
  totalBytes: number;
  /** What the same seconds cost on the lowest video rung, which hls.js's own emergency abort falls back to. */
  lowestRungBytes: number;
  /**
   * How long a wait for the first byte is the host's silence rather than the link's: with a mirror to go
   * to, the pipe gives the host this long and then asks the mirror (0 without one).
   */
  silenceAllowanceMs: number;
}

/** What the HLS path knows of the playing video pipe at one tick. */
export interface VideoView {
  nowMs: number;
  /** Seconds of video buffered ahead of the playhead. */
  bufferAheadSeconds: number;
  /** The fragment being loaded, null when none is. */
  fragment: FragmentLoad | null;
  /** The estimator's quick average; null before any measurement. */
  linkBps: number | null;
}

/**
 * A stall shorter than this costs less than a switch to sound only and back (each switch is a few
 * seconds of a pipe that buffers and a handover): a fragment late by up to this much is waited for.
 */
const TOLERATED_STALL_MS = 1_000;
/** The fragment's own rate is trusted once its bytes have flowed this long. */
const MIN_RATE_WINDOW_MS = 300;
/** Below this much video ahead, a link the estimator finds too slow has no buffer left to ride on. */
const RIDE_OUT_MIN_SECONDS = 2;
/** A fragment no larger than this share above the lowest rung's is from the lowest rung: nothing lower to try. */
const LOWEST_RUNG_SLACK = 1.1;

/**
 * The verdict the mode controller gets while video plays over HLS: the estimator's (`verdict`) weighed
 * against the video buffered ahead.
 * - `insufficient` at once when the fragment being loaded cannot arrive at the rate measured before the
 *   buffer ahead runs out, nor could the same seconds from the lowest rung: the emergency switch to sound,
 *   made while the buffer still plays (the way hls.js's emergency abort steps down a rung, one step
 *   further: there is no video rung left to step down to).
 * - the estimator's `insufficient` becomes `marginal` while the buffer ahead can ride the low link out
 *   (the fragment will arrive, or hls.js's own abort to the lowest rung will save it): a short low phase
 *   is waited out on video rather than paid for with two switches.
 */
export function videoVerdict(estimate: Judgement, view: VideoView): Judgement {
  const detail = `${estimate.detail}; ${outlook(view)}`;
  if (starving(view)) return { verdict: 'insufficient', rule: 'emergency', detail };
  if (estimate.verdict === 'insufficient' && view.bufferAheadSeconds >= RIDE_OUT_MIN_SECONDS) return { ...estimate, verdict: 'marginal', detail };
  return { ...estimate, detail };
}

/** What the decision weighed of the video: the buffer ahead, and the fragment under way. */
function outlook({ nowMs, bufferAheadSeconds, fragment, linkBps }: VideoView): string {
  const buffer = `${bufferAheadSeconds.toFixed(1)} s ahead`;
  if (fragment === null) return `${buffer}, no fragment loading`;
  const rate = measuredRate(nowMs, fragment, linkBps);
  const rest = `fragment ${Math.round(fragment.loadedBytes / 1000)}/${Math.round(fragment.totalBytes / 1000)} KB after ${((nowMs - fragment.startMs) / 1000).toFixed(1)} s`;
  return `${buffer}, ${rest} at ${kbps(rate)}`;
}

/** Whether the video will run dry for longer than a tolerated stall, whatever rung hls.js falls back to. */
export function starving({ nowMs, bufferAheadSeconds, fragment, linkBps }: VideoView): boolean {
  if (fragment === null) return false;
  const { startMs, firstByteMs, loadedBytes, totalBytes, lowestRungBytes, silenceAllowanceMs } = fragment;
  const budgetMs = bufferAheadSeconds * 1000 + TOLERATED_STALL_MS;
  if (firstByteMs === 0) {
    // A blackholed host is left for the mirror, which is not the link failing: judged as the link, its
    // silence would take video away before the pipe had asked the mirror.
    if (nowMs - startMs < silenceAllowanceMs) return false;
    // Nothing arrived yet: a wait longer than the buffer means a stall whatever comes next.
    if (nowMs - startMs >= budgetMs) return true;
  }
  const rate = measuredRate(nowMs, fragment, linkBps);
  if (rate === null) return false;
  if (transferMs(totalBytes - loadedBytes, rate) <= budgetMs) return false;
  // hls.js abandons a late fragment for a lower rung when that one would arrive in time; only when even
  // the lowest rung's, with this fragment's wait for its first byte, would not is the video lost.
  if (totalBytes <= lowestRungBytes * LOWEST_RUNG_SLACK) return true;
  const firstByteWaitMs = firstByteMs > 0 ? firstByteMs - startMs : nowMs - startMs;
  return firstByteWaitMs + transferMs(lowestRungBytes, rate) > budgetMs;
}

/**
 * The lower of the fragment's own rate since its first byte and the estimator's quick average: a
 * fragment begun before a collapse still carries its fast start in its average.
 */
function measuredRate(nowMs: number, { firstByteMs, loadedBytes }: FragmentLoad, linkBps: number | null): number | null {
  const flowingMs = firstByteMs > 0 ? nowMs - firstByteMs : 0;
  const own = flowingMs >= MIN_RATE_WINDOW_MS ? (loadedBytes * 8000) / flowingMs : null;
  const rates = [own, linkBps].filter((rate) => rate !== null && rate > 0) as number[];
  return rates.length > 0 ? Math.min(...rates) : null;
}

function transferMs(bytes: number, bps: number): number {
  return (Math.max(0, bytes) * 8000) / bps;
}
