import type { types } from 'mediasoup';

/** Gives back a taken seat; calling it twice gives back one seat, not two. */
export type ReleaseSeat = () => void;

/**
 * Bounds how many attendees receive over WebRTC from each worker (one core). A rally of tens of
 * thousands must not overload the SFU: whoever finds no seat is sent to the HLS ladder instead.
 */
export class WebRtcSeats {
  readonly perWorker: number;
  readonly #taken = new Map<types.Worker, number>();

  constructor(perWorker: number) {
    this.perWorker = perWorker;
  }

  /** Seats taken over all workers. */
  get used(): number {
    let used = 0;
    for (const taken of this.#taken.values()) used += taken;
    return used;
  }

  taken(worker: types.Worker): number {
    return this.#taken.get(worker) ?? 0;
  }

  available(worker: types.Worker): boolean {
    return this.taken(worker) < this.perWorker;
  }

  take(worker: types.Worker): ReleaseSeat | undefined {
    if (!this.available(worker)) return undefined;
    this.#taken.set(worker, this.taken(worker) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.taken(worker) - 1;
      if (left > 0) this.#taken.set(worker, left);
      else this.#taken.delete(worker);
    };
  }
}
