import { isOver, type PublicEvent } from '../../shared/events';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';

export interface OrganizerAbsenceEvents {
  /** The organizer of a live event was lost (`away`), or is back. */
  changed: [slug: string, away: boolean];
  /** The organizer was away from `from` until `to` (ms since the epoch): the recording marks the gap. */
  gap: [slug: string, from: number, to: number];
}

/** What the absence watch needs of the events: their status, and ending one whose organizer never came back. */
export interface AbsenceEvents {
  get(slug: string): Pick<PublicEvent, 'status'>;
  end(slug: string): unknown;
  on(name: 'updated', listener: (event: PublicEvent) => void): unknown;
  off(name: 'updated', listener: (event: PublicEvent) => void): unknown;
}

export interface OrganizerAbsenceOptions {
  /** How long a live event waits for its lost organizer before it is ended; 0 waits for ever. */
  graceMs: number;
  /**
   * An organizer connection that leaves and another that arrives this soon after (a tab joining again,
   * a file broadcast handing over to the camera) is no absence: nobody is told, no gap is marked.
   */
  settleMs?: number;
  /** Whether a prepared file is the event's media: the organizer may close the studio while it plays. */
  fileBroadcasting?: (slug: string) => boolean;
  now?: () => number;
}

/** One organizer connection to a live event, as its media peer reports it. */
export interface OrganizerLink {
  /** Its send transport's ICE lost the organizer (false) or has it again (true). */
  setConnected(connected: boolean): void;
  /** The connection is gone (socket lost, joined again elsewhere, the event over). Idempotent. */
  leave(): void;
}

interface EventPresence {
  /** Organizer connections whose media link is up. */
  connected: number;
  /** Since when nobody is connected; null while someone is. */
  awaySince: number | null;
  /** Declared away: attendees were told. */
  declared: boolean;
  settleTimer: NodeJS.Timeout | undefined;
  graceTimer: NodeJS.Timeout | undefined;
}

const DEFAULT_SETTLE_MS = 1_000;

/**
 * Whether each live event's organizer is there. An organizer's connection dropping (its socket lost, or
 * its send transport's ICE gone quiet) does not end the event: attendees are told the organizer is away
 * and that the broadcast will resume, the event stays live for `graceMs`, and the organizer coming back
 * (ICE restarted, or joined again and publishing anew) resumes it, the gap marked in the recording.
 * An organizer not back within the grace period is taken to have gone: the event ends, as if they had
 * ended it, so that the recording is finished and the event does not stay "live" with nobody running it.
 *
 * Only an event that had an organizer connected while live (in this process) can be missing one: after a
 * server restart nobody is waited for until an organizer has joined again.
 */
export class OrganizerAbsence extends SafeEmitter<OrganizerAbsenceEvents> {
  readonly #events: AbsenceEvents;
  readonly #graceMs: number;
  readonly #settleMs: number;
  readonly #fileBroadcasting: (slug: string) => boolean;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #presence = new Map<string, EventPresence>();

  constructor(events: AbsenceEvents, options: OrganizerAbsenceOptions, logger: Logger) {
    super(logger);
    this.#events = events;
    this.#graceMs = options.graceMs;
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#fileBroadcasting = options.fileBroadcasting ?? (() => false);
    this.#now = options.now ?? Date.now;
    this.#logger = logger;
    events.on('updated', this.#onEventUpdated);
  }

  /** Whether the event's organizer is lost and awaited now (attendees have been told). */
  isAway(slug: string): boolean {
    return this.#presence.get(slug)?.declared ?? false;
  }

  /** An organizer connection joined the live event `slug`; its link starts up. */
  arrive(slug: string): OrganizerLink {
    let connected = false;
    let gone = false;
    const set = (up: boolean) => {
      if (gone || up === connected) return;
      connected = up;
      this.#count(slug, up ? 1 : -1);
    };
    set(true);
    return {
      setConnected: set,
      leave: () => {
        set(false);
        gone = true;
      },
    };
  }

  close(): void {
    this.#events.off('updated', this.#onEventUpdated);
    for (const presence of this.#presence.values()) clearTimers(presence);
    this.#presence.clear();
  }

  #count(slug: string, delta: 1 | -1): void {
    let presence = this.#presence.get(slug);
    if (!presence) {
      // Only a live event misses its organizer (a link may outlive its event's end by a moment).
      if (delta < 0 || !this.#isLive(slug)) return;
      presence = { connected: 0, awaySince: null, declared: false, settleTimer: undefined, graceTimer: undefined };
      this.#presence.set(slug, presence);
    }
    presence.connected = Math.max(0, presence.connected + delta);
    if (presence.connected > 0 && presence.awaySince !== null) this.#returned(slug, presence);
    else if (presence.connected === 0 && presence.awaySince === null) this.#left(slug, presence);
  }

  #left(slug: string, presence: EventPresence): void {
    presence.awaySince = this.#now();
    // Declared only once it lasts: a join handing over to a new connection is not worth telling anyone.
    presence.settleTimer = setTimeout(() => this.#declareAway(slug, presence), this.#settleMs);
    presence.settleTimer.unref();
  }

  #declareAway(slug: string, presence: EventPresence): void {
    presence.settleTimer = undefined;
    if (!this.#isLive(slug) || this.#fileBroadcasting(slug)) {
      // Not live any more, or a file carries the event without its organizer: nothing is missing.
      presence.awaySince = null;
      return;
    }
    presence.declared = true;
    this.#logger.warn({ slug, graceMs: this.#graceMs }, 'the organizer’s connection was lost; waiting for it to return');
    this.emit('changed', slug, true);
    if (this.#graceMs > 0) {
      presence.graceTimer = setTimeout(() => this.#graceOver(slug), this.#graceMs);
      presence.graceTimer.unref();
    }
  }

  #graceOver(slug: string): void {
    this.#logger.warn({ slug, graceMs: this.#graceMs }, 'the organizer did not return in time; ending the event');
    try {
      // The end reaches #onEventUpdated, which closes the gap at the end of the recording.
      this.#events.end(slug);
    } catch (error) {
      this.#logger.error({ err: error, slug }, 'ending the event of an organizer who did not return failed');
    }
  }

  #returned(slug: string, presence: EventPresence): void {
    const since = presence.awaySince!;
    const declared = presence.declared;
    clearTimers(presence);
    presence.awaySince = null;
    presence.declared = false;
    if (!declared) return;
    this.#logger.info({ slug, awayMs: this.#now() - since }, 'the organizer is back');
    this.emit('changed', slug, false);
    this.emit('gap', slug, since, this.#now());
  }

  #isLive(slug: string): boolean {
    try {
      return this.#events.get(slug).status === 'live';
    } catch {
      return false; // deleted meanwhile
    }
  }

  readonly #onEventUpdated = (event: PublicEvent): void => {
    if (!isOver(event.status)) return;
    const presence = this.#presence.get(event.slug);
    if (!presence) return;
    this.#presence.delete(event.slug);
    clearTimers(presence);
    // The recording ends here: it says the organizer was away until its end.
    if (presence.declared && presence.awaySince !== null) this.emit('gap', event.slug, presence.awaySince, this.#now());
  };
}

function clearTimers(presence: EventPresence): void {
  clearTimeout(presence.settleTimer);
  clearTimeout(presence.graceTimer);
  presence.settleTimer = undefined;
  presence.graceTimer = undefined;
}
