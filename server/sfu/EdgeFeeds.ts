import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import type { PipeSettings } from './EdgeFeedSignalling';
import { EdgeLink, type EdgeOrigin } from './EdgeLink';
import type { MediaRoom } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';

/** Makes this server an edge SFU of an origin: every media room opened here is fed through an {@link EdgeLink}. */
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
