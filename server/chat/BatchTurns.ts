import type { ChatBatch, ChatFeed } from '../../shared/chat';

/** What a room has for each feed at one tick (a feed with nothing is absent), as {@link ChatRoom.takeBatches} gives it. */
export type FeedBatches = Partial<Record<ChatFeed, ChatBatch>>;

/** A group of a room's connections and what it is to be sent now. */
export interface Turn {
  group: number;
  batches: FeedBatches;
}

/**
 * A room's connections split into groups that are sent to in turn, one group a tick, so that each
 * connection still gets a frame per interval but a tick writes to only a share of the room. Writing one
 * frame to 10,000 sockets holds the event loop about 235 ms: an entry waited for the frame, then for its
 * socket's place in that write. In turns, the write it waits behind is a group's, a share of that.
 * What is new is taken once a tick; a group gets everything since its previous turn, the last `groups`
 * ticks' worth, so every connection gets every entry once, in order.
 */
export class BatchTurns {
  readonly #groups: number;
  /** What each of the last `groups` ticks took, oldest first. */
  readonly #recent: FeedBatches[] = [];
  #tick = 0;

  constructor(groups: number) {
    this.#groups = groups;
  }

  /** Adds what this tick took; the group whose turn it is gets everything since its previous turn. */
  next(taken: FeedBatches): Turn {
    this.#add(taken);
    const group = this.#tick % this.#groups;
    this.#tick++;
    return { group, batches: merge(this.#recent) };
  }

  /**
   * Adds what was taken last, and gives every group what it has not been sent yet: for closing. Every
   * group is then up to date, so a second call gives nothing again.
   */
  rest(taken: FeedBatches): Turn[] {
    this.#add(taken);
    const turns: Turn[] = [];
    // The group whose turn was `ago` ticks before now has not been sent the last `ago` ticks' worth.
    for (let ago = 1; ago <= this.#groups; ago++) {
      const group = (((this.#tick - ago) % this.#groups) + this.#groups) % this.#groups;
      turns.push({ group, batches: merge(this.#recent.slice(-ago)) });
    }
    this.#recent.length = 0;
    this.#tick++;
    return turns;
  }

  #add(taken: FeedBatches): void {
    this.#recent.push(taken);
    if (this.#recent.length > this.#groups) this.#recent.shift();
  }
}

/** Several ticks' batches as one per feed: the entries in order, and the latest attendee count among them. */
function merge(ticks: readonly FeedBatches[]): FeedBatches {
  const merged: FeedBatches = {};
  for (const taken of ticks) {
    for (const [feed, batch] of Object.entries(taken) as [ChatFeed, ChatBatch][]) {
      const into = (merged[feed] ??= { entries: [] });
      into.entries = into.entries.concat(batch.entries);
      if (batch.attendees !== undefined) into.attendees = batch.attendees;
    }
  }
  return merged;
}

/** Which group a connection belongs to, from its id: Socket.io keeps the id for a recovered connection, so the group stays. */
export function batchGroup(socketId: string, groups: number): number {
  let hash = 0;
  for (let i = 0; i < socketId.length; i++) hash = (hash * 31 + socketId.charCodeAt(i)) >>> 0;
  return hash % groups;
}
