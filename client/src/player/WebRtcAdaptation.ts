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
  /**
   * Video lost beyond this fraction within the last sample, while what did arrive (a losing link
   * delivers what it can carry) is less than the lowest layer needs, is a collapse too, seen sooner
   * than the sound's: when a link falls far below what is sent, the queue ahead of it is full of video
   * and hardly a sound packet gets through (whose loss shows only once a later one arrives, and much of
   * it is late rather than lost), while video's many packets show the loss within half a second. A
   * squeeze, which lower layers can fix, delivers more than they need.
   */
  videoCollapseLoss: number;
  /** Fewer video packets than this due in the last sample: its loss fraction says nothing yet. */
  videoCollapseMinPackets: number;
  /** Sound packets bunching up beyond this (RFC 3550 jitter): a queue on the way is filling. */
  jitterLimitSeconds: number;
  /** Round trips above this: everything waits behind a full queue. */
  roundTripLimitSeconds: number;
  /** Connectivity checks left unanswered within one window: the way back from the server is clogged or cut. */
  unansweredChecksLimit: number;
  /** The server scores each consumer's stream from the receiver's reports (10 = clean); at or below this, congested. */
  scoreLimit: number;
  /** Congestion (short of a collapse) must last this long before a step down. */
  congestedHoldMs: number;
  /**
   * After a layer change or a resume, time for the new rate to take effect (and for the health window
   * to forget the gap in sequence numbers a resume leaves) before judging again.
   */
  settleMs: number;
  /** Clear this long at a lowered layer before stepping one up. */
  stepUpAfterMs: number;
  /**
   * Audio only and the sound still failing for this long (losing more than `unhealthyLoss`, late, or
   * collapsed) once it settled: WebRTC cannot carry even the speech.
   */
  unhealthyHoldMs: number;
  /**
   * A 30 kbps link carries the speech over WebRTC losing a packet or two every few seconds (Opus's
   * in-band FEC covers many): less than this is not worth the seconds a move to HLS costs.
   */
  unhealthyLoss: number;
  /**
   * Half the sound or more lost over the last second, for `starvedHoldMs`, once the server has stopped
   * the video (`audioOnlyApplied`) and `starvedSettleMs` let the video queued ahead drain out of that
   * second: the link does not carry the speech at all (a censor squeezing UDP, where TCP still flows).
   * Such sound is mostly made up by the decoder, and each second of it waited out is speech lost.
   * Most of the sound made up by the decoder while the connectivity checks go unanswered is starved
   * too, judged from the server's answer on: it is known at once, and the link is cut off, not draining.
   */
  starvedLoss: number;
  /**
   * The share of the sound the decoder makes up, with connectivity checks unanswered, that is a link
   * cut off (see `starvedLoss`). Traced: 0.84–1 on UDP squeezed to 8 kbps (a packet a second gets
   * through, or none); 0.54–0.88 at 40 kbps in the second the video queued ahead drained, after which
   * the sound came back whole. At 0.5 one such collapse moved to HLS; what keeps them apart more is that
   * there a check waited behind the video for one sample at most (the hold is two).
   */
  cutOffConcealment: number;
  starvedSettleMs: number;
  /** Two stats samples running: they come 480–500 ms apart. */
  starvedHoldMs: number;
  /** After the link failed video, the stage picture takes the link's room at most this often (pictureTurn). */
  pictureIntervalMs: number;
}

export const DEFAULT_ADAPTATION_OPTIONS: WebRtcAdaptationOptions = {
  audioLossLimit: 0.05,
  videoLossLimit: 0.1,
  audioCollapseLoss: 0.2,
  videoCollapseLoss: 0.5,
  videoCollapseMinPackets: 10,
  jitterLimitSeconds: 0.15,
  roundTripLimitSeconds: 1.5,
  unansweredChecksLimit: 2,
  scoreLimit: 5,
  congestedHoldMs: 2_000,
  settleMs: 4_000,
  stepUpAfterMs: 15_000,
  unhealthyHoldMs: 6_000,
  unhealthyLoss: 0.1,
  starvedLoss: 0.5,
  cutOffConcealment: 0.75,
  starvedSettleMs: 1_500,
  starvedHoldMs: 400,
  pictureIntervalMs: 60_000,
};

export interface WebRtcObservation {
  /** Over the last few seconds. */
  health: RtpHealth;
  /** Over the last sample only (null before there are two): for what must be seen at once. */
  recent: RtpHealth | null;
  /**
   * Over the last second (null before there is one): the sound's loss, which shows only once a later
   * packet arrives, and whose few packets leave half a second often empty on a starved link.
   */
  lastSecond: RtpHealth | null;
  /** The server's latest score of the video consumer, or null when unknown. */
  videoScore: number | null;
  /** The layer the server forwards now (its own estimate may have lowered it), or null when unknown. */
  receivingLayer: number | null;
  mode: PlaybackMode;
  /** What the HTTP side (poster downloads) says about the link, for the way back to video. */
  httpVerdict: LinkVerdict | null;
  /** What the lowest video layer needs with the sound, in bits per second. */
  videoNeedBps: number;
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
  /** When video last resumed (`restartLow`). */
  #resumedAt = -Infinity;
  #sufferingSince: number | null = null;
  /** Since when the mode has been audio only; null in video. */
  #audioSince: number | null = null;
  /** When the server confirmed it stopped sending video; null in video and until it answers. */
  #audioAppliedAt: number | null = null;
  #starvedSince: number | null = null;
  /** The sound lost packets or came late in the last window: nothing else should take the link's room. */
  #soundSuffers = false;
  /** When the stage picture last had its turn on the link. */
  #pictureTurnAt = -Infinity;

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
    this.#lastLayerChange = this.#resumedAt = nowMs;
    this.#congestedSince = this.#clearSince = null;
  }

  /** The server answered that it stopped sending video: what arrives from now on is the sound alone. */
  audioOnlyApplied(nowMs: number): void {
    this.#audioAppliedAt = nowMs;
  }

  observe(
    nowMs: number,
    { health, recent, lastSecond, videoScore, receivingLayer, mode, httpVerdict, videoNeedBps }: WebRtcObservation,
  ): WebRtcDecision {
    const o = this.#options;
    // Most of the last second's sound made up by the decoder, while a connectivity check in it went
    // unanswered: the link, not the source, fails the speech. The decoder's concealment alone could be
    // a stuttering source or a busy server, and sending an attendee away from WebRTC would not help with
    // those; but the server would answer the checks. Traced on UDP squeezed to 8 kbps: every check went
    // unanswered, and the loss showed only 2 s later.
    const soundCutOff =
      lastSecond !== null && lastSecond.unansweredChecks > 0 && (lastSecond.audioConcealment ?? 0) >= o.cutOffConcealment;
    const soundCollapsed =
      soundCutOff ||
      (health.audioLoss !== null && health.audioLoss >= o.audioCollapseLoss) ||
      health.unansweredChecks >= o.unansweredChecksLimit ||
      (health.roundTripSeconds !== null && health.roundTripSeconds > o.roundTripLimitSeconds);
    const soundSuffers =
      soundCollapsed ||
      (health.audioLoss !== null && health.audioLoss > o.audioLossLimit) ||
      health.audioJitterSeconds > o.jitterLimitSeconds;
    this.#soundSuffers = soundSuffers;
    const decide = (verdict: LinkVerdict | null, layer: number | null = null, unhealthy = false): WebRtcDecision => ({
      verdict,
      layer,
      unhealthy,
    });
    if (mode === 'audio') {
      this.#audioSince ??= nowMs;
      const failing =
        soundCollapsed || health.audioJitterSeconds > o.jitterLimitSeconds || (health.audioLoss ?? 0) > o.unhealthyLoss;
      // The window still holds the collapse that ended video (the queue of video ahead of the sound
      // draining): audio only is judged once it has settled.
      const settledInAudio = nowMs - this.#audioSince >= o.settleMs;
      this.#sufferingSince = failing && settledInAudio ? (this.#sufferingSince ?? nowMs) : null;
      // Cut off needs no settle: the concealment is what the attendee hears now, and a check stays
      // unanswered behind draining video for a sample, not for the two the hold asks.
      const starved =
        this.#audioAppliedAt !== null &&
        (soundCutOff || (nowMs - this.#audioAppliedAt >= o.starvedSettleMs && (lastSecond?.audioLoss ?? 0) >= o.starvedLoss));
      this.#starvedSince = starved ? (this.#starvedSince ?? nowMs) : null;
      const unhealthy =
        (this.#sufferingSince !== null && nowMs - this.#sufferingSince >= o.unhealthyHoldMs) ||
        (this.#starvedSince !== null && nowMs - this.#starvedSince >= o.starvedHoldMs);
      return decide(soundSuffers ? 'insufficient' : httpVerdict, null, unhealthy);
    }
    this.#sufferingSince = this.#audioSince = this.#audioAppliedAt = this.#starvedSince = null;
    const settled = nowMs - this.#lastLayerChange >= o.settleMs;
    // Not right after a resume, whose switch of stream may read as a burst of loss. A layer change keeps
    // the stream (the server rewrites its sequence numbers), and a collapse can come at any time after one.
    const videoCollapsed =
      nowMs - this.#resumedAt >= o.settleMs &&
      recent !== null &&
      recent.videoPacketsDue >= o.videoCollapseMinPackets &&
      recent.videoLoss !== null &&
      recent.videoLoss >= o.videoCollapseLoss &&
      recent.videoBps + recent.audioBps < videoNeedBps;
    const congested =
      soundSuffers ||
      videoCollapsed ||
      (health.videoLoss !== null && health.videoLoss > o.videoLossLimit) ||
      (videoScore !== null && videoScore <= o.scoreLimit);
    if (!congested) {
      this.#congestedSince = null;
      this.#clearSince ??= nowMs;
      if (!this.#pinned && this.#layer < this.#maxLayer && settled && nowMs - this.#clearSince >= o.stepUpAfterMs) {
        return decide('marginal', this.#changeLayer(nowMs, this.#layer + 1));
      }
      return decide('marginal');
    }
    this.#clearSince = null;
    // Not held: the video queued ahead of the sound is what breaks it, and every second spent confirming
    // a collapse is a second of speech lost (the windows behind the figures already smooth single packets).
    if (soundCollapsed || videoCollapsed) return decide('insufficient');
    this.#congestedSince ??= nowMs;
    if (nowMs - this.#congestedSince < o.congestedHoldMs || !settled) return decide(null);
    // Stepping below what the server already sends is the only step that changes anything.
    const current = Math.min(this.#layer, receivingLayer ?? this.#layer);
    if (!this.#pinned && current > 0) return decide(null, this.#changeLayer(nowMs, current - 1));
    return decide('insufficient');
  }

  /**
   * Whether the stage picture may take the link's room now, in audio only; true is its turn, and the
   * wait for the next begins. Its few kilobytes come in one burst of TCP packets, and on a link that
   * just failed video that burst breaks the sound for seconds (EDGE-like 30 kbps in bench:throttle: a
   * 5.5 KB picture, then 4 s of sound lost). So after the link failed video (`linkFailedVideo`), the
   * picture, and with it the measurement that brings video back, comes a minute after audio only began
   * and then once a minute at most; always only while the sound comes through clean.
   */
  pictureTurn(nowMs: number, linkFailedVideo: boolean): boolean {
    if (this.#soundSuffers) return false;
    const since = Math.max(this.#pictureTurnAt, this.#audioSince ?? -Infinity);
    if (linkFailedVideo && nowMs - since < this.#options.pictureIntervalMs) return false;
    this.#pictureTurnAt = nowMs;
    return true;
  }

  #changeLayer(nowMs: number, layer: number): number {
    this.#layer = layer;
    this.#lastLayerChange = nowMs;
    this.#congestedSince = this.#clearSince = null;
    return layer;
  }
}
