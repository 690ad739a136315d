/** The part of the chat service counted here: it announces every entry applied to one of its rooms. */
export interface AppliedEntries {
  on(event: 'applied', listener: (room: { slug: string }) => void): unknown;
  off(event: 'applied', listener: (room: { slug: string }) => void): unknown;
}

const WINDOW_SECONDS = 60;

/** Chat entries per event over the last minute, in one-second buckets, from what this server applies. */
export class ChatRate {
  readonly #chat: AppliedEntries;
  readonly #now: () => number;
  /** Per event: entry counts by second, indexed by the second modulo the window, and which second each holds. */
  readonly #buckets = new Map<string, { counts: number[]; seconds: number[] }>();

  constructor(chat: AppliedEntries, now: () => number = Date.now) {
    this.#chat = chat;
    this.#now = now;
    chat.on('applied', this.#onApplied);
  }

  perMinute(slug: string): number {
    const buckets = this.#buckets.get(slug);
    if (!buckets) return 0;
    const second = this.#second();
    let total = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      if (second - buckets.seconds[i]! < WINDOW_SECONDS) total += buckets.counts[i]!;
    }
    return total;
  }

  close(): void {
    this.#chat.off('applied', this.#onApplied);
  }

  readonly #onApplied = (room: { slug: string }): void => {
    let buckets = this.#buckets.get(room.slug);
    if (!buckets) {
      buckets = { counts: new Array<number>(WINDOW_SECONDS).fill(0), seconds: new Array<number>(WINDOW_SECONDS).fill(-Infinity) };
      this.#buckets.set(room.slug, buckets);
    }
    const second = this.#second();
    const index = second % WINDOW_SECONDS;
    if (buckets.seconds[index] !== second) {
      buckets.seconds[index] = second;
      buckets.counts[index] = 0;
    }
    buckets.counts[index]! += 1;
  };

  #second(): number {
    return Math.floor(this.#now() / 1000);
  }
}
