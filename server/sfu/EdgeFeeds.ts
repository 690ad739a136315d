import { PublicEvent } from '../../shared/events';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import type { PipeSettings } from './EdgeFeedSignalling';
import { EdgeLink, type EdgeOrigin } from './EdgeLink';
import type { MediaRoom } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';

/**
 * Makes this server an edge SFU of an origin: events are looked up at the origin when attendees ask
 * for them, and every media room opened here is fed from the origin through an {@link EdgeLink}.
 */
export class EdgeFeeds {
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #origin: EdgeOrigin;
  readonly #pipe: PipeSettings;
  readonly #logger: Logger;
  readonly #links = new Set<EdgeLink>();

  constructor(events: EventService, rooms: MediaRoomRegistry, origin: EdgeOrigin, pipe: PipeSettings, logger: Logger) {
    this.#events = events;
    this.#rooms = rooms;
    this.#origin = origin;
    this.#pipe = pipe;
    this.#logger = logger;
    rooms.on('roomOpened', this.#onRoomOpened);
  }

  /** Copies the event from the origin (its status may have changed since the last look). */
  async ensureEvent(slug: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.#origin.url}/api/events/${encodeURIComponent(slug)}`, {
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      this.#logger.warn({ err: error, slug }, 'origin unreachable; using the local copy of the event');
      return;
    }
    if (!response.ok) return;
    const event = PublicEvent.safeParse(await response.json().catch(() => undefined));
    if (event.success) this.#events.mirror(event.data);
  }

  close(): void {
    this.#rooms.off('roomOpened', this.#onRoomOpened);
    for (const link of this.#links) link.close();
    this.#links.clear();
  }

  readonly #onRoomOpened = (room: MediaRoom): void => {
    const link = new EdgeLink(room, this.#events, this.#origin, this.#pipe, this.#logger);
    this.#links.add(link);
    room.once('closed', () => {
      link.close();
      this.#links.delete(link);
    });
  };
}
