import type { PublicEvent } from '../../shared/events';
import { isOver } from '../../shared/events';
import { InvalidStateError, NotFoundError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import type { FileBroadcaster } from './FileBroadcaster';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import type { OrganizerAbsence } from './OrganizerAbsence';
import { readWhipOffer } from './whipSdp';
import { WhipSession, type WhipSessionOptions } from './WhipSession';

/**
 * Encoders publishing over WHIP (OBS 30+, or any WHIP client): at most one session per event. A second
 * POST while one is open is refused (409) rather than replacing it: it changes nothing, and a session
 * whose encoder went away closes by itself (ICE consent lost, or never connected), after which the
 * encoder's next attempt is taken. The event goes live when the encoder's media connects, as with the
 * studio's "Go live"; a connected encoder counts as its organizer being there, so stopping or losing it
 * is an organizer's absence (see {@link OrganizerAbsence}).
 * A session closes when its key stops running the event (rotated or revoked), when the event is over,
 * and when its room goes (worker died: the encoder reconnects by itself).
 */
export class WhipIngest {
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #fileBroadcasts: FileBroadcaster;
  readonly #options: WhipSessionOptions;
  readonly #absence: Pick<OrganizerAbsence, 'arrive'>;
  readonly #logger: Logger;
  readonly #sessions = new Map<string, WhipSession>();
  /** Events whose POST is being answered: a second one meanwhile would make a second session. */
  readonly #opening = new Set<string>();

  /**
   * @param absence where a connected encoder counts as its organizer being there: when it goes away the
   *   event waits for it (attendees told, the gap marked) as for a studio whose connection dropped.
   */
  constructor(
    events: EventService,
    rooms: MediaRoomRegistry,
    fileBroadcasts: FileBroadcaster,
    absence: Pick<OrganizerAbsence, 'arrive'>,
    options: WhipSessionOptions,
    logger: Logger,
  ) {
    this.#events = events;
    this.#rooms = rooms;
    this.#fileBroadcasts = fileBroadcasts;
    this.#options = options;
    this.#absence = absence;
    this.#logger = logger;
    events.on('updated', this.#onEventUpdated);
    events.on('keysChanged', this.#onKeysChanged);
  }

  /** Whether an encoder publishes (or is connecting to publish) this event over WHIP. */
  isPublishing(slug: string): boolean {
    return this.#sessions.has(slug) || this.#opening.has(slug);
  }

  /** Whether an encoder's media reaches this event now (its session connected). */
  hasConnectedEncoder(slug: string): boolean {
    return this.#sessions.get(slug)?.connected ?? false;
  }

  /**
   * Opens a session from the encoder's offer; the caller has checked that the key (`keyHash`) runs the
   * event. Refused, with nothing changed, for an event that is over, one broadcasting a file, one with a
   * WHIP session already, and an offer that cannot be used.
   */
  async open(slug: string, keyHash: string, offerSdp: string): Promise<WhipSession> {
    const event = this.#events.get(slug);
    if (isOver(event.status)) throw new InvalidStateError(`the event has ${event.status}`);
    if (this.#fileBroadcasts.isRunning(slug)) throw new InvalidStateError('a prepared file is being broadcast; stop it before publishing from an encoder');
    if (this.isPublishing(slug)) {
      throw new InvalidStateError('an encoder is already publishing this event over WHIP: stop it first (DELETE its resource), or wait until its connection times out');
    }
    // Before the room: an unusable offer must not open the event's media (and its recorder).
    const offer = readWhipOffer(offerSdp);
    this.#opening.add(slug);
    try {
      const room = await this.#rooms.getOrCreate(slug);
      const session = await WhipSession.open(room, keyHash, offer, this.#options, this.#logger.child({ slug }));
      // The event ended, or the key was revoked, while the transport was made.
      if (!this.#events.keyHashRuns(slug, keyHash) || isOver(this.#events.get(slug).status)) {
        session.close('eventOver');
        throw new InvalidStateError('the event or its key changed while the encoder connected');
      }
      this.#sessions.set(slug, session);
      session.once('closed', () => {
        if (this.#sessions.get(slug) === session) this.#sessions.delete(slug);
      });
      session.once('connected', () => this.#goLive(session));
      return session;
    } finally {
      this.#opening.delete(slug);
    }
  }

  /**
   * Stops the session this resource names; anything else (another event's session, one already closed,
   * a made-up id) is not found.
   */
  stop(slug: string, sessionId: string): void {
    const session = this.#sessions.get(slug);
    if (!session || session.id !== sessionId) throw new NotFoundError('WHIP session');
    session.close('stopped');
  }

  close(): void {
    this.#events.off('updated', this.#onEventUpdated);
    this.#events.off('keysChanged', this.#onKeysChanged);
    for (const session of [...this.#sessions.values()]) session.close('stopped');
  }

  #goLive(session: WhipSession): void {
    try {
      this.#events.goLive(session.slug);
      const link = this.#absence.arrive(session.slug);
      session.once('closed', () => link.leave());
    } catch (error) {
      // Ended meanwhile (the updated event closes the session too), or another process changed it.
      this.#logger.warn({ err: error, slug: session.slug }, 'the event could not go live from its encoder');
      session.close('eventOver');
    }
  }

  readonly #onEventUpdated = (event: PublicEvent): void => {
    if (isOver(event.status)) this.#sessions.get(event.slug)?.close('eventOver');
  };

  /** A rotated or revoked key stops the encoder it admitted, as it disconnects the studio's sockets. */
  readonly #onKeysChanged = (slug?: string): void => {
    for (const session of [...this.#sessions.values()]) {
      if (slug !== undefined && session.slug !== slug) continue;
      if (!this.#events.keyHashRuns(session.slug, session.keyHash)) session.close('keyRevoked');
    }
  };
}
