import type { LinkVerdict, PlaybackMode } from './ModeController';
import type { RtpHealth } from './RtpHealth';

export interface WebRtcAdaptationOptions {
  /** Loss above these fractions is congestion: the link is dropping what it cannot carry. */
  audioLossLimit: number;
  videoLossLimit: number;
  /**
   * Sound lost beyond this fraction (or checks unanswered, round trips too long) is a collapse, not a
   * squeeze: the link carries far less than the lowest layer, and walking down the layers one settle at
   * a time would leave the speech breaking for ten seconds. Video is given up at once instead.
   */
  audioCollapseLoss: number;
  /** Sound packets bunching up beyond this (RFC 3550 jitter): a queue on the way is filling. */
  jitterLimitSeconds: number;
  /** Round trips above this: everything waits behind a full queue. */
  roundTripLimitSeconds: number;
  /** Connectivity checks left unanswered within one window: the way back from the server is clogged or cut. */
  unansweredChecksLimit: number;
  /** The server scores each consumer's stream from the receiver's reports (10 = clean); at or below this, congested. */
  scoreLimit: number;
  /** Congestion must last this long before a step down. */
  congestedHoldMs: number;
  /**
   * After a layer change or a resume, time for the new rate to take effect (and for the health window
   * to forget the gap in sequence numbers a resume leaves) before judging again.
   */
  settleMs: number;
  /** Clear this long at a lowered layer before stepping one up. */
  stepUpAfterMs: number;
  /** Audio only and the sound still suffering for this long: WebRTC cannot carry even the speech. */
  unhealthyHoldMs: number;
}

export const DEFAULT_ADAPTATION_OPTIONS: WebRtcAdaptationOptions = {
  audioLossLimit: 0.05,
  videoLossLimit: 0.1,
  audioCollapseLoss: 0.2,
  jitterLimitSeconds: 0.15,
  roundTripLimitSeconds: 1.5,
  unansweredChecksLimit: 2,
  scoreLimit: 5,
  congestedHoldMs: 2_000,
  settleMs: 4_000,
  stepUpAfterMs: 15_000,
  unhealthyHoldMs: 6_000,
};

export interface WebRtcObservation {
  health: RtpHealth;
  /** The server's latest score of the video consumer, or null when unknown. */
  videoScore: number | null;
  /** The layer the server forwards now (its own estimate may have lowered it), or null when unknown. */
  receivingLayer: number | null;
  mode: PlaybackMode;
  /** What the HTTP side (poster downloads) says about the link, for the way back to video. */
  httpVerdict: LinkVerdict | null;
}

export interface WebRtcDecision {
  verdict: LinkVerdict | null;
  /** A new preferred simulcast layer to ask the server for, or null for no change. */
  layer: number | null;
  /** WebRTC cannot carry this attendee even the sound: another path should. */
  unhealthy: boolean;
}

/**
 * WebRTC adaptation from receive statistics: on congestion, first a lower simulcast layer, then (at
 * the lowest layer) a verdict that sends the mode controller to audio only; layers climb back one at
 * a time after a clear spell. Pure logic: the caller feeds it getStats() deltas once a second.
 */
export class WebRtcAdaptation {
  readonly #options: WebRtcAdaptationOptions;
  #maxLayer: number;
  #layer: number;
  #pinned: boolean;
  #congestedSince: number | null = null;
  #clearSince: number | null = null;
  #lastLayerChange = -Infinity;
  #sufferingSince: number | null = null;

  /** `maxLayer` is the top layer allowed; `pinned` holds it there (the attendee chose a quality). */
  constructor(maxLayer: number, pinned: boolean, options: WebRtcAdaptationOptions = DEFAULT_ADAPTATION_OPTIONS) {
    this.#options = options;
    this.#maxLayer = maxLayer;
    this.#layer = maxLayer;
    this.#pinned = pinned;
  }

  get layer(): number {
    return this.#layer;
  }

  setLimit(maxLayer: number, pinned: boolean): void {
    // A chosen quality, or leaving one for auto, starts from the top of what is allowed.
    this.#layer = pinned || this.#pinned ? maxLayer : Math.min(this.#layer, maxLayer);
    this.#maxLayer = maxLayer;
    this.#pinned = pinned;
  }

  /** Video comes back at the lowest layer and climbs as the link proves itself. */
  restartLow(nowMs: number): void {
    if (!this.#pinned) this.#layer = 0;
    this.#lastLayerChange = nowMs;
    this.#congestedSince = this.#clearSince = null;
  }

  observe(nowMs: number, { health, videoScore, receivingLayer, mode, httpVerdict }: WebRtcObservation): WebRtcDecision {
    const o = this.#options;
    // Not the decoder's concealment nor video freezes: a stuttering source (or a busy server) causes
    // those too, and sending an attendee away from WebRTC would not help with that.
    const soundCollapsed =
      (health.audioLoss !== null && health.audioLoss >= o.audioCollapseLoss) ||
      health.unansweredChecks >= o.unansweredChecksLimit ||
      (health.roundTripSeconds !== null && health.roundTripSeconds > o.roundTripLimitSeconds);
    const soundSuffers =
      soundCollapsed ||
      (health.audioLoss !== null && health.audioLoss > o.audioLossLimit) ||
      health.audioJitterSeconds > o.jitterLimitSeconds;
    if (mode === 'audio') {
      this.#sufferingSince = soundSuffers ? (this.#sufferingSince ?? nowMs) : null;
      const unhealthy = this.#sufferingSince !== null && nowMs - this.#sufferingSince >= o.unhealthyHoldMs;
      return { verdict: soundSuffers ? 'insufficient' : httpVerdict, layer: null, unhealthy };
    }
    this.#sufferingSince = null;
    const congested =
      soundSuffers ||
      (health.videoLoss !== null && health.videoLoss > o.videoLossLimit) ||
      (videoScore !== null && videoScore <= o.scoreLimit);
    const settled = nowMs - this.#lastLayerChange >= o.settleMs;
    if (!congested) {
      this.#congestedSince = null;
      this.#clearSince ??= nowMs;
      if (!this.#pinned && this.#layer < this.#maxLayer && settled && nowMs - this.#clearSince >= o.stepUpAfterMs) {
        return { verdict: 'marginal', layer: this.#changeLayer(nowMs, this.#layer + 1), unhealthy: false };
      }
      return { verdict: 'marginal', layer: null, unhealthy: false };
    }
    this.#clearSince = null;
    this.#congestedSince ??= nowMs;
    if (nowMs - this.#congestedSince < o.congestedHoldMs) return { verdict: null, layer: null, unhealthy: false };
    if (soundCollapsed) return { verdict: 'insufficient', layer: null, unhealthy: false };
    if (!settled) return { verdict: null, layer: null, unhealthy: false };
    // Stepping below what the server already sends is the only step that changes anything.
    const current = Math.min(this.#layer, receivingLayer ?? this.#layer);
    if (!this.#pinned && current > 0) {
      return { verdict: null, layer: this.#changeLayer(nowMs, current - 1), unhealthy: false };
    }
    return { verdict: 'insufficient', layer: null, unhealthy: false };
  }

  #changeLayer(nowMs: number, layer: number): number {
    this.#layer = layer;
    this.#lastLayerChange = nowMs;
    this.#congestedSince = this.#clearSince = null;
    return layer;
  }
}
