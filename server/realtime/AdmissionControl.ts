import { TokenBucket } from './TokenBucket';

/** What asks to come in: a new Socket.io connection (its handshake), or an attendee joining an event. */
export type AdmissionKind = 'handshake' | 'join';

/** Why a newcomer was turned away: the server-wide rate was used up, or the event loop is lagging. */
export type AdmissionRefusal = 'rate' | 'loopDelay';

export type AdmissionDecision =
  | { admitted: true }
  | { admitted: false; refusal: AdmissionRefusal; retryAfterMs: number };

export interface AdmissionSettings {
  /** New Socket.io connections per second over all addresses. */
  handshakesPerSecond: number;
  /** Attendee joins (media and chat) per second over all connections. */
  joinsPerSecond: number;
  /** Newcomers are refused while the event loop was recently held up longer than this; 0 never. */
  shedLoopDelayMs: number;
}

/** Each rate may be spent this many seconds' worth at once: a crowd arriving together gets in at once. */
const BURST_SECONDS = 2;
/** A lagging loop is given this long to recover before newcomers come back. */
const LOOP_DELAY_RETRY_MS = 2_000;

/**
 * Server-wide admission of newcomers. The per-address limits cannot tell a flood from many addresses
 * (behind the trusted proxy every hostile socket is another address) from a crowd; what they cannot
 * bound is the server's own capacity, which this does: new connections and attendee joins come in at
 * most at a fixed rate over all addresses, and not at all while the event loop is lagging, so that
 * whoever is already in keeps being served. A refused newcomer retries with backoff (Socket.io's own
 * reconnection for a handshake; the clients' jittered retry for a join).
 * Pure decision: the loop delay is given, the clock is injected.
 */
export class AdmissionControl {
  readonly #buckets: Record<AdmissionKind, TokenBucket>;
  readonly #shedLoopDelayMs: number;
  readonly #refused: Record<AdmissionKind, Record<AdmissionRefusal, number>> = {
    handshake: { rate: 0, loopDelay: 0 },
    join: { rate: 0, loopDelay: 0 },
  };

  constructor(settings: AdmissionSettings, now: () => number = Date.now) {
    const bucket = (perSecond: number) => new TokenBucket(Math.max(1, perSecond * BURST_SECONDS), perSecond, now);
    this.#buckets = { handshake: bucket(settings.handshakesPerSecond), join: bucket(settings.joinsPerSecond) };
    this.#shedLoopDelayMs = settings.shedLoopDelayMs;
  }

  /** Refusals so far, by kind and why (for `/metrics`). */
  get refused(): Readonly<Record<AdmissionKind, Readonly<Record<AdmissionRefusal, number>>>> {
    return this.#refused;
  }

  /** Lets one newcomer of `kind` in, or says why not; `loopDelayMs` is the longest the loop was held up lately. */
  decide(kind: AdmissionKind, loopDelayMs: number): AdmissionDecision {
    // Checked first and spending nothing: what a lagging loop refuses must not use up the rate for later.
    if (this.#shedLoopDelayMs > 0 && loopDelayMs > this.#shedLoopDelayMs) {
      return this.#refuse(kind, 'loopDelay', LOOP_DELAY_RETRY_MS);
    }
    const bucket = this.#buckets[kind];
    if (bucket.take()) return { admitted: true };
    return this.#refuse(kind, 'rate', bucket.waitMs());
  }

  #refuse(kind: AdmissionKind, refusal: AdmissionRefusal, retryAfterMs: number): AdmissionDecision {
    this.#refused[kind][refusal]++;
    return { admitted: false, refusal, retryAfterMs };
  }
}
