/**
 * At most `perWindow` log lines of one kind per window: past that they are counted, not written, and the
 * count goes with the next line that is. Whatever makes ffmpeg fail over and over (a broken input, a
 * client that keeps triggering it) then costs the log a few lines a minute, not one per failure.
 */
export class LogBudget {
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart: number;
  #used = 0;
  #notLogged = 0;

  constructor(perWindow: number, windowMs: number, now: () => number = Date.now) {
    this.#perWindow = perWindow;
    this.#windowMs = windowMs;
    this.#now = now;
    this.#windowStart = now();
  }

  /** Undefined when this line must not be written; otherwise how many were not since the last one that was. */
  take(): { notLogged: number } | undefined {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used >= this.#perWindow) {
      this.#notLogged += 1;
      return undefined;
    }
    this.#used += 1;
    const notLogged = this.#notLogged;
    this.#notLogged = 0;
    return { notLogged };
  }
}
