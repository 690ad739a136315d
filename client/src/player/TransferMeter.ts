/**
 * The progress of one HTTP transfer, in the shape hls.js keeps it (`LoaderStats`), so its loaders'
 * own objects can be tracked as they fill in. Times are `performance.now()` milliseconds; 0 = not yet.
 */
export interface TransferProgress {
  loaded: number;
  aborted?: boolean;
  loading: { start: number; first: number; end: number };
}

export interface ThroughputSample {
  bps: number;
  bytes: number;
  activeMs: number;
}

/**
 * Waiting this long for a first byte is ordinary round-trip and server time; beyond it, the wait is
 * counted as time in which nothing arrived, so a link that stops answering reads as a slow one.
 */
const FIRST_BYTE_ALLOWANCE_MS = 1_500;
/** Fewer bytes than this in a short time say more about latency and buffering than about throughput. */
const MIN_BYTES = 3_000;
const MIN_ACTIVE_MS_FOR_FEW_BYTES = 400;
/** A transfer that never finishes (a loader destroyed mid-way) is forgotten after this. */
const FORGET_AFTER_MS = 120_000;

interface Tracked {
  progress: TransferProgress;
  firstByteAllowanceMs: number;
  countedBytes: number;
  countedUntil: number;
}

/**
 * Measures the throughput of the transfers it is given while they run, not only when they end: when a
 * link collapses mid-segment the segment may take a minute to finish, and the player must know within
 * seconds. Time in which no transfer is under way is not counted, so an idle link does not read as slow.
 */
export class TransferMeter {
  readonly #transfers = new Set<Tracked>();

  /**
   * `firstByteAllowanceMs`: how long its first byte may take before the wait counts; longer for a request
   * whose silence its caller blames on the host and answers by asking another (a mirror) at that point.
   */
  track(progress: TransferProgress, firstByteAllowanceMs = FIRST_BYTE_ALLOWANCE_MS): void {
    this.#transfers.add({ progress, firstByteAllowanceMs, countedBytes: 0, countedUntil: 0 });
  }

  /** How long the oldest transfer still under way has been waiting or loading, in ms; 0 when none is. */
  longestPendingMs(nowMs: number): number {
    let longest = 0;
    for (const { progress } of this.#transfers) {
      if (!isDone(progress) && progress.loading.start > 0) longest = Math.max(longest, nowMs - progress.loading.start);
    }
    return longest;
  }

  /** Throughput since the previous call, or null when too little happened to tell. */
  take(nowMs: number): ThroughputSample | null {
    const intervals: Array<[number, number]> = [];
    let bytes = 0;
    for (const tracked of this.#transfers) {
      const { progress } = tracked;
      const { start, first, end } = progress.loading;
      if (start === 0) continue;
      const activeFrom = Math.min(first > 0 ? first : Infinity, start + tracked.firstByteAllowanceMs);
      const from = Math.max(activeFrom, tracked.countedUntil);
      const to = end > 0 ? end : nowMs;
      if (to > from) {
        intervals.push([from, to]);
        tracked.countedUntil = to;
      }
      // A retried request starts counting again from zero.
      if (progress.loaded < tracked.countedBytes) tracked.countedBytes = 0;
      bytes += progress.loaded - tracked.countedBytes;
      tracked.countedBytes = progress.loaded;
      if (isDone(progress) || nowMs - start > FORGET_AFTER_MS) this.#transfers.delete(tracked);
    }
    const activeMs = unionLength(intervals);
    if (activeMs <= 0) return null;
    if (bytes < MIN_BYTES && activeMs < MIN_ACTIVE_MS_FOR_FEW_BYTES) return null;
    return { bps: (bytes * 8000) / activeMs, bytes, activeMs };
  }
}

function isDone(progress: TransferProgress): boolean {
  return progress.loading.end > 0 || progress.aborted === true;
}

/** Concurrent transfers share the link: their time is counted once. */
function unionLength(intervals: Array<[number, number]>): number {
  intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let coveredUntil = -Infinity;
  for (const [from, to] of intervals) {
    const start = Math.max(from, coveredUntil);
    if (to > start) total += to - start;
    coveredUntil = Math.max(coveredUntil, to);
  }
  return total;
}
