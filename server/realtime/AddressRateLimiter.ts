import { TokenBucket } from './TokenBucket';

/** Past this many addresses, buckets that have refilled (so say nothing) are forgotten. */
const PRUNE_AT = 10_000;

/** A token bucket per client address, shared by all of that address's connections. */
export class AddressRateLimiter {
  readonly #burst: number;
  readonly #perSecond: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();

  constructor(burst: number, perSecond: number, now: () => number = Date.now) {
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#now = now;
  }

  take(address: string): boolean {
    return this.#bucket(address).take();
  }

  /** Milliseconds until `address` may take again (for a Retry-After); 0 when it may now. */
  waitMs(address: string): number {
    return this.#buckets.get(address)?.bucket.waitMs() ?? 0;
  }

  #bucket(address: string): TokenBucket {
    const now = this.#now();
    let entry = this.#buckets.get(address);
    if (!entry) {
      if (this.#buckets.size >= PRUNE_AT) this.#prune(now);
      entry = { bucket: new TokenBucket(this.#burst, this.#perSecond, this.#now), usedAt: now };
      this.#buckets.set(address, entry);
    }
    entry.usedAt = now;
    return entry.bucket;
  }

  #prune(now: number): void {
    const refillMs = (this.#burst / this.#perSecond) * 1000;
    for (const [address, { usedAt }] of this.#buckets) {
      if (now - usedAt >= refillMs) this.#buckets.delete(address);
    }
  }
}
