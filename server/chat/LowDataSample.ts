import type { ChatEntry } from '../../shared/chat';

/**
 * An attendee's message every this often is enough to show a low-data watcher that the chat is alive;
 * at about 60 bytes a message, the sample costs a few hundred bits a second whatever the chat's pace.
 */
export const LOW_DATA_SAMPLE_INTERVAL_MS = 5_000;

/**
 * Chooses which entries the low-data feed carries: every organizer message and moderation entry (they
 * are few, and a pin, a deletion or a mute changes what the client shows), and of the attendees'
 * messages the first after each interval. The clock is the entries' own server time, not this
 * process's: every process of a cluster applies the same entries in the same order, so each sends its
 * low-data connections the same sample.
 */
export class LowDataSample {
  readonly #intervalMs: number;
  #sampledAt = Number.NEGATIVE_INFINITY;

  constructor(intervalMs = LOW_DATA_SAMPLE_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Whether `entry`, the next of the room's entries in order, goes to low-data connections. */
  takes(entry: ChatEntry): boolean {
    if (entry.kind !== 'message' || entry.role === 'organizer') return true;
    if (entry.at - this.#sampledAt < this.#intervalMs) return false;
    this.#sampledAt = entry.at;
    return true;
  }
}

/** Attendees' messages a low-data connection gets with its history, at the newest end of it. */
export const LOW_DATA_HISTORY_MESSAGES = 10;

/**
 * A history (a join's or a catch-up's) as a low-data connection gets it: everything but the attendees'
 * messages, and only the newest few of those.
 */
export function lowDataHistory(entries: readonly ChatEntry[]): ChatEntry[] {
  const attendeeMessages = entries.filter((entry) => entry.kind === 'message' && entry.role === 'attendee');
  const dropped = new Set(attendeeMessages.slice(0, -LOW_DATA_HISTORY_MESSAGES));
  return entries.filter((entry) => !dropped.has(entry));
}
