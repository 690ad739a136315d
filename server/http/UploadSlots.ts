import { InvalidStateError, UnavailableError } from '../errors';

/**
 * Uploads in flight: one per event (a second would only replace the first, and two starts at once
 * would race for the event), and at most `capacity` over all events, since each holds a connection,
 * a file being written and then ffprobe and ffmpeg. A slot is held from the request's headers until
 * the broadcast has started or the upload failed.
 */
export class UploadSlots {
  readonly #capacity: number;
  readonly #busy = new Set<string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get inFlight(): number {
    return this.#busy.size;
  }

  /** Takes the event's slot or throws; the returned function gives it back (once, however often called). */
  reserve(slug: string): () => void {
    if (this.#busy.has(slug)) throw new InvalidStateError('an upload for this event is already in progress');
    if (this.#busy.size >= this.#capacity) {
      throw new UnavailableError('the server is receiving as many uploads as it can; try again in a few minutes', 'uploadsBusy');
    }
    this.#busy.add(slug);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#busy.delete(slug);
    };
  }
}
