import { Emitter } from './Emitter';

export type PlaybackMode = 'video' | 'audio';

/**
 * What the latest measurements say about the link, against what the lowest video rung needs:
 * `insufficient` cannot carry it, `sufficient` carries it with room to spare, `marginal` is between
 * (stay as you are). Null: nothing new was learnt.
 */
export type LinkVerdict = 'insufficient' | 'marginal' | 'sufficient';

/**
 * Which rule gave a verdict: `estimate` the bandwidth estimate against the lowest video rung's need,
 * `emergency` a video fragment that will not arrive before the buffer runs dry, `drain` a fragment
 * flowing slower than the lowest rung needs with too little buffered to ride it out (both videoOutlook),
 * `webrtc` the WebRTC path's receive statistics (WebRtcAdaptation).
 */
export type ModeRule = 'estimate' | 'emergency' | 'drain' | 'webrtc';

/** A verdict and why: what the last mode change is recorded with. */
export interface Judgement {
  verdict: LinkVerdict | null;
  rule: ModeRule;
  /** The figures the rule weighed, in a few words (seconds buffered, rates), for reading a run afterwards. */
  detail: string;
}

/** A mode change as the controller made it: the rule of the verdict that completed it. */
export interface ModeDecision {
  /** How many changes this controller has made, this one included. */
  count: number;
  atMs: number;
  mode: PlaybackMode;
  rule: ModeRule;
  detail: string;
}

export interface ModeControllerOptions {
  /** How long `insufficient` must last before video goes off. */
  downHoldMs: number;
  /** How long `sufficient` must last before video comes back, at first. */
  upHoldMs: number;
  /** Each return to video that fails again soon doubles the wait, up to this. */
  maxUpHoldMs: number;
  /** Video that lasted this long was a good decision: the wait goes back to `upHoldMs`. */
  stableVideoMs: number;
}

export const DEFAULT_MODE_OPTIONS: ModeControllerOptions = {
  downHoldMs: 0,
  // Longer than the good spells of a flapping link (10 s in bench:throttle's flapping profile, and the
  // estimate needs a second or two to climb): with 8 s, video came back just before the next dip and
  // both switches stalled.
  upHoldMs: 12_000,
  maxUpHoldMs: 120_000,
  stableVideoMs: 60_000,
};

export interface ModeControllerEvents {
  change: [decision: ModeDecision];
}

/**
 * Decides between video and audio only from a stream of link verdicts, with hysteresis: quick to drop
 * video (speech must keep playing), slow to bring it back, and slower each time bringing it back failed.
 */
export class ModeController extends Emitter<ModeControllerEvents> {
  readonly #options: ModeControllerOptions;
  #mode: PlaybackMode;
  #upHoldMs: number;
  #since: number;
  /** Since when the verdicts have pointed away from the current mode; null when they do not. */
  #pressureSince: number | null = null;
  /** Whether the current video came back after audio only (rather than being how playback began). */
  #returned = false;
  /**
   * Whether the current audio only is video that failed. Audio only that playback began with (the boot
   * script's sound, a link that failed WebRTC) is not: the video that follows it is a first try, and a
   * collapse ending it must not double the wait as a failed return would.
   */
  #dropped = false;
  #changes = 0;

  constructor(initialMode: PlaybackMode, nowMs: number, options: ModeControllerOptions = DEFAULT_MODE_OPTIONS) {
    super();
    this.#options = options;
    this.#mode = initialMode;
    this.#upHoldMs = options.upHoldMs;
    this.#since = nowMs;
  }

  get mode(): PlaybackMode {
    return this.#mode;
  }

  /** The wait before video comes back, as it stands after the failures so far. */
  get upHoldMs(): number {
    return this.#upHoldMs;
  }

  observe(nowMs: number, { verdict, rule, detail }: Judgement): void {
    if (verdict === null) return;
    const away = this.#mode === 'video' ? verdict === 'insufficient' : verdict === 'sufficient';
    if (!away) {
      this.#pressureSince = null;
      return;
    }
    this.#pressureSince ??= nowMs;
    const hold = this.#mode === 'video' ? this.#options.downHoldMs : this.#upHoldMs;
    if (nowMs - this.#pressureSince >= hold) this.#switch(nowMs, rule, detail);
  }

  #switch(nowMs: number, rule: ModeRule, detail: string): void {
    if (this.#mode === 'video' && this.#returned) {
      const lasted = nowMs - this.#since;
      this.#upHoldMs =
        lasted < this.#options.stableVideoMs
          ? Math.min(this.#upHoldMs * 2, this.#options.maxUpHoldMs)
          : this.#options.upHoldMs;
    }
    this.#returned = this.#mode === 'audio' && this.#dropped;
    this.#dropped = this.#mode === 'video';
    this.#mode = this.#mode === 'video' ? 'audio' : 'video';
    this.#since = nowMs;
    this.#pressureSince = null;
    this.#changes += 1;
    this.emit('change', { count: this.#changes, atMs: nowMs, mode: this.#mode, rule, detail });
  }

  close(): void {
    this.removeAllListeners();
  }
}
