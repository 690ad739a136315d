import { OPUS_MAX_AVERAGE_BITRATE, SIMULCAST_LAYER_COUNT, simulcastEncodings } from '../../../shared/media';

/** Why the browser's encoder sends less than it was asked to (WebRTC stats' qualityLimitationReason). */
export type QualityLimitation = 'none' | 'bandwidth' | 'cpu' | 'other';

/** One second of the organizer's send transport, as its getStats() deltas tell it. */
export interface UplinkSample {
  /** Bits per second sent (audio and video RTP with headers). */
  outgoingBps: number;
  /** The browser's estimate of what the uplink carries (the candidate pair's availableOutgoingBitrate); null when unknown. */
  availableBps: number | null;
  /** Share of the sound lost on the way, as the server's receiver reports say (0–1); null when unknown. */
  audioLoss: number | null;
  videoLoss: number | null;
  roundTripSeconds: number | null;
  /** The camera encoder's limitation; null while no video is sent. */
  videoLimitation: QualityLimitation | null;
}

export interface UplinkAdaptationOptions {
  /** Loss above this is the link dropping what it cannot carry. */
  lossLimit: number;
  /** Loss above this (or round trips above `severeRoundTripSeconds`): the sound itself is breaking, drop all video at once. */
  severeLossLimit: number;
  /** Round trips above this: a queue on the way is filling. */
  roundTripLimitSeconds: number;
  severeRoundTripSeconds: number;
  /** Congestion must last this long before a step down. */
  congestedHoldMs: number;
  /** Severe congestion (the sound breaking) this long stops the video: every second of it costs speech. */
  severeHoldMs: number;
  /** After any change, time for the new rate to take effect before judging again. */
  settleMs: number;
  /**
   * After video comes back the browser's estimate starts low and climbs over several seconds: during this
   * time only loss and round trips count as congestion, not the estimate.
   */
  returnGraceMs: number;
  /** Clear (and the estimate room enough) this long before one more layer. */
  stepUpAfterMs: number;
  /** The estimate must exceed what the next layer needs by this factor to step up. */
  stepUpHeadroom: number;
  /**
   * With sound alone the browser's estimate cannot rise much above the sound's own rate (it grows only with
   * what is sent), so video comes back as a trial after this long clear; each trial the link refuses again
   * (video dropped within `trialMs`) doubles the wait, up to `maxReturnWaitMs`.
   */
  firstReturnWaitMs: number;
  maxReturnWaitMs: number;
  trialMs: number;
}

export const DEFAULT_UPLINK_OPTIONS: UplinkAdaptationOptions = {
  lossLimit: 0.05,
  severeLossLimit: 0.15,
  roundTripLimitSeconds: 0.8,
  severeRoundTripSeconds: 2,
  congestedHoldMs: 2_000,
  severeHoldMs: 1_000,
  settleMs: 3_000,
  returnGraceMs: 8_000,
  stepUpAfterMs: 8_000,
  stepUpHeadroom: 1.2,
  firstReturnWaitMs: 10_000,
  maxReturnWaitMs: 120_000,
  trialMs: 20_000,
};

/**
 * What `layers` simulcast layers need on the uplink, with the sound: the lower layers at their cap and the
 * top one at half of it (the browser sends the top layer at whatever is left, and half is still worth
 * seeing). Zero layers: the sound alone.
 */
export function layersNeedBps(layers: number): number {
  let need = OPUS_MAX_AVERAGE_BITRATE;
  for (let i = 0; i < layers; i++) {
    const cap = simulcastEncodings[i]!.maxBitrate;
    need += i === layers - 1 ? cap / 2 : cap;
  }
  return need;
}

export interface UplinkDecision {
  /** Simulcast layers to send, lowest first: 0 is sound only. */
  layers: number;
  /** The link is close to forcing sound only (struggling at the lowest layer, or the sound itself breaking). */
  audioOnlySoon: boolean;
}

/**
 * The organizer's uplink: on congestion the top simulcast layers go first, one at a time, then video
 * altogether (at once when the sound itself suffers), so that the speech keeps going; video comes back as
 * a trial after a clear spell, with a wait that doubles each time the link refuses it again. Pure logic:
 * the caller feeds it a sample of the send transport's stats once a second and applies the layer count.
 */
export class UplinkAdaptation {
  readonly #options: UplinkAdaptationOptions;
  readonly #maxLayers: number;
  #layers: number;
  #congestedSince: number | null = null;
  #clearSince: number | null = null;
  #lastChange = -Infinity;
  #lastReturn = -Infinity;
  #returnWaitMs: number;

  constructor(maxLayers = SIMULCAST_LAYER_COUNT, options: UplinkAdaptationOptions = DEFAULT_UPLINK_OPTIONS) {
    this.#options = options;
    this.#maxLayers = maxLayers;
    this.#layers = maxLayers;
    this.#returnWaitMs = options.firstReturnWaitMs;
  }

  get layers(): number {
    return this.#layers;
  }

  /** Video starts being sent (the camera turned on): the estimate gets the same grace as after a return. */
  videoStarted(nowMs: number): void {
    this.#lastReturn = nowMs;
    this.#congestedSince = this.#clearSince = null;
  }

  observe(nowMs: number, sample: UplinkSample): UplinkDecision {
    const o = this.#options;
    const loss = Math.max(sample.audioLoss ?? 0, sample.videoLoss ?? 0);
    const rtt = sample.roundTripSeconds ?? 0;
    const severe = loss > o.severeLossLimit || rtt > o.severeRoundTripSeconds;
    const inGrace = nowMs - this.#lastReturn < o.returnGraceMs;
    // The estimate only counts while the encoder says the link holds it back (or does not say).
    const shortOfRoom =
      !inGrace &&
      this.#layers > 0 &&
      sample.availableBps !== null &&
      sample.videoLimitation !== 'cpu' &&
      sample.availableBps < layersNeedBps(this.#layers);
    const congested = severe || loss > o.lossLimit || rtt > o.roundTripLimitSeconds || shortOfRoom;
    const settled = nowMs - this.#lastChange >= o.settleMs;

    if (congested) {
      this.#clearSince = null;
      this.#congestedSince ??= nowMs;
      const holdMs = severe ? o.severeHoldMs : o.congestedHoldMs;
      if (this.#layers > 0 && (settled || severe) && nowMs - this.#congestedSince >= holdMs) {
        this.#change(nowMs, severe ? 0 : this.#layers - 1);
      }
      // Warned during the hold before the step that leaves only the sound.
      return { layers: this.#layers, audioOnlySoon: this.#layers > 0 && (severe || this.#layers === 1) };
    }

    this.#congestedSince = null;
    this.#clearSince ??= nowMs;
    const clearMs = nowMs - this.#clearSince;
    if (this.#layers === 0) {
      if (clearMs >= this.#returnWaitMs && settled) {
        this.#lastReturn = nowMs;
        this.#change(nowMs, 1);
      }
    } else if (
      this.#layers < this.#maxLayers &&
      settled &&
      !inGrace &&
      clearMs >= o.stepUpAfterMs &&
      sample.availableBps !== null &&
      sample.availableBps >= layersNeedBps(this.#layers + 1) * o.stepUpHeadroom
    ) {
      this.#change(nowMs, this.#layers + 1);
    }
    return { layers: this.#layers, audioOnlySoon: false };
  }

  #change(nowMs: number, layers: number): void {
    if (layers === 0) {
      // Refused again soon after a trial: wait twice as long before the next; a trial that held resets the wait.
      const refused = nowMs - this.#lastReturn < this.#options.trialMs;
      this.#returnWaitMs = refused
        ? Math.min(this.#returnWaitMs * 2, this.#options.maxReturnWaitMs)
        : this.#options.firstReturnWaitMs;
    }
    this.#layers = layers;
    this.#lastChange = nowMs;
    this.#congestedSince = this.#clearSince = null;
  }
}
