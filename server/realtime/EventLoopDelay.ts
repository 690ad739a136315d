import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The loop is sampled this often (ms); delays shorter than it are not seen, nor need to be. */
const RESOLUTION_MS = 20;
/** The delay reported is the longest over the last window and the one under way. */
const WINDOW_MS = 1_000;

/**
 * How long the event loop has lately been held up: the longest delay over the last second or two. A
 * loop that lags serves everyone late (chat, signalling, HLS), so new arrivals wait until it recovers.
 */
export class EventLoopDelay {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #timer: NodeJS.Timeout;
  #previousWindowMaxMs = 0;

  constructor() {
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#previousWindowMaxMs = this.#currentWindowMaxMs();
      this.#histogram.reset();
    }, WINDOW_MS);
    this.#timer.unref();
  }

  get recentMaxMs(): number {
    return Math.max(this.#previousWindowMaxMs, this.#currentWindowMaxMs());
  }

  close(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  #currentWindowMaxMs(): number {
    // The histogram measures the delay past its own resolution, in nanoseconds; empty, it says 0.
    return this.#histogram.count === 0 ? 0 : this.#histogram.max / 1e6;
  }
}
