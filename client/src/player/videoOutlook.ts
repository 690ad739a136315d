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
  /** What the lowest video rung needs with its sound, in bits per second. */
  videoNeedBps: number;
  /**
   * The sound is buffered from the playhead on, ready to take over at once (the reserve sound of a live
   * event): a switch to it costs nothing, so nothing is ridden out on video.
   */
  soundReady: boolean;
}

/**
 * A stall shorter than this costs less than a switch to sound only and back (each switch is a few
 * seconds of a pipe that buffers and a handover): a fragment late by up to this much is waited for.
 */
const TOLERATED_STALL_MS = 1_000;
/** The fragment's own rate is trusted once its bytes have flowed this long. */
const MIN_RATE_WINDOW_MS = 300;
/**
 * A link slower than the lowest video rung drains the buffer whatever rung hls.js picks. With this much
 * video ahead a dip shorter than the buffer is ridden out (the reservoir of a buffer-based rule, as in
 * BBA); with less, the sound gets the link at once, while the buffer still plays for as long as the
 * audio pipe's playlist and first segments take on such a link (about 5 s at 40 kbps / 400 ms). Waiting
 * for the emergency rule instead left the sound too little time: it took over after the video had run
 * dry (collapse runs of 2026-12-02: a switch 3.4 s after the drop with 5 s buffered, 4 s stalled).
 */
const RIDE_OUT_SECONDS = 10;
/**
 * The fragment under way says the link fell below the lowest rung once it has flowed this long at such
 * a rate: sooner than the estimator's average does, and long enough that a hiccup of a few hundred
 * milliseconds on a good link does not take video away.
 */
const DRAIN_RATE_WINDOW_MS = 1_000;
/** A fragment no larger than this share above the lowest rung's is from the lowest rung: nothing lower to try. */
const LOWEST_RUNG_SLACK = 1.1;

/**
 * The verdict the mode controller gets while video plays over HLS: the estimator's (`estimate`) weighed
 * against the video buffered ahead.
 * - `insufficient` at once when the fragment being loaded cannot arrive at the rate measured before the
 *   buffer ahead runs out, nor could the same seconds from the lowest rung: the emergency switch to sound
 *   (the way hls.js's emergency abort steps down a rung, one step further: there is no video rung left).
 * - `insufficient` when the link is slower than the lowest video rung needs (the estimator says so, or the
 *   fragment under way has flowed that slowly for a second: the `drain` rule) and less than
 *   RIDE_OUT_SECONDS are buffered: the sound starts loading while the buffer still plays.
 * - with that much buffered or more, `marginal`: a dip shorter than the buffer is waited out on video,
 *   unless the sound is ready to take over at once (`soundReady`), which is cheaper than any wait.
 */
export function videoVerdict(estimate: Judgement, view: VideoView): Judgement {
  const detail = `${estimate.detail}; ${outlook(view)}`;
  if (starving(view)) return { verdict: 'insufficient', rule: 'emergency', detail };
  const estimatedLow = estimate.verdict === 'insufficient';
  if (!estimatedLow && !fragmentBelowNeed(view)) return { ...estimate, detail };
  if (!view.soundReady && view.bufferAheadSeconds >= RIDE_OUT_SECONDS) return { ...estimate, verdict: 'marginal', detail };
  return { verdict: 'insufficient', rule: estimatedLow ? 'estimate' : 'drain', detail };
}

/** Whether the fragment under way has flowed, for long enough to tell, slower than the lowest rung needs. */
export function fragmentBelowNeed({ nowMs, fragment, videoNeedBps }: VideoView): boolean {
  if (fragment === null || fragment.firstByteMs === 0) return false;
  const flowingMs = nowMs - fragment.firstByteMs;
  return flowingMs >= DRAIN_RATE_WINDOW_MS && (fragment.loadedBytes * 8000) / flowingMs < videoNeedBps;
}

/** What the decision weighed of the video: the buffer ahead, and the fragment under way. */
function outlook({ nowMs, bufferAheadSeconds, fragment, linkBps, soundReady }: VideoView): string {
  const buffer = `${bufferAheadSeconds.toFixed(1)} s ahead${soundReady ? ', sound ready' : ''}`;
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
