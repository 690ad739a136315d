export interface BandwidthEstimatorOptions {
  /** Reacts to a collapse within a couple of seconds. */
  fastHalfLifeMs: number;
  /** Needs a sustained improvement before it believes one. */
  slowHalfLifeMs: number;
}

export const DEFAULT_ESTIMATOR_OPTIONS: BandwidthEstimatorOptions = { fastHalfLifeMs: 600, slowHalfLifeMs: 5_000 };

/**
 * Two exponentially weighted averages of throughput samples, weighted by the wall-clock time between
 * samples rather than by transfer time: on a link with spare capacity an 8 KB audio segment arrives
 * in a few milliseconds, and weighting by transfer time would make it count for almost nothing.
 */
export class BandwidthEstimator {
  readonly #options: BandwidthEstimatorOptions;
  #fast: number | null = null;
  #slow: number | null = null;
  #lastAt = 0;

  constructor(options: BandwidthEstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS) {
    this.#options = options;
  }

  sample(atMs: number, bps: number): void {
    if (this.#fast === null || this.#slow === null) {
      this.#fast = this.#slow = bps;
    } else {
      const elapsed = Math.max(0, atMs - this.#lastAt);
      this.#fast += (bps - this.#fast) * weight(elapsed, this.#options.fastHalfLifeMs);
      this.#slow += (bps - this.#slow) * weight(elapsed, this.#options.slowHalfLifeMs);
    }
    this.#lastAt = atMs;
  }

  /** When the last sample came; null before any. */
  get lastSampleAt(): number | null {
    return this.#fast === null ? null : this.#lastAt;
  }

  /** The quick-moving average: what a switch down trusts. Null before any sample. */
  get fastBps(): number | null {
    return this.#fast;
  }

  /** The lower of the two: what a switch up trusts, so one lucky burst is not enough. */
  get cautiousBps(): number | null {
    return this.#fast === null || this.#slow === null ? null : Math.min(this.#fast, this.#slow);
  }
}

function weight(elapsedMs: number, halfLifeMs: number): number {
  return 1 - 0.5 ** (elapsedMs / halfLifeMs);
}
