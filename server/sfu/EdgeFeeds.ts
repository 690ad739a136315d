import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { EdgeLink, type EdgeOrigin } from './EdgeLink';
import type { MediaRoom } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import type { PipeSettings } from './RoomPipe';

/**
 * Makes this server an edge SFU of an origin: every media room opened here is fed through an
 * {@link EdgeLink}, which the room owns and closes with itself.
 */
export class EdgeFeeds {
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #origin: EdgeOrigin;
  readonly #pipe: PipeSettings;
  readonly #logger: Logger;

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
  }

  readonly #onRoomOpened = (room: MediaRoom): void => {
    room.adopt(new EdgeLink(room, this.#events, this.#origin, this.#pipe, this.#logger));
  };
}
