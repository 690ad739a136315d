import { EventEmitter } from 'node:events';
import type { Logger } from '../logger';
import { MediaRoom, type WebRtcTransportSettings } from './MediaRoom';
import type { WebRtcSeats } from './WebRtcSeats';
import type { WorkerPool } from './WorkerPool';

export interface MediaRoomRegistryEvents {
  roomOpened: [room: MediaRoom];
  /** The room's worker died and a new room replaced it; clients must set their media up again. */
  roomRecreated: [room: MediaRoom];
}

/** The live events' media rooms, one per event, spread over the worker pool. */
export class MediaRoomRegistry extends EventEmitter<MediaRoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly seats: WebRtcSeats;
  readonly #settings: WebRtcTransportSettings;
  readonly #logger: Logger;
  /** Promises, so that two peers joining at once share one router instead of racing to make two. */
  readonly #rooms = new Map<string, Promise<MediaRoom>>();

  constructor(pool: WorkerPool, seats: WebRtcSeats, settings: WebRtcTransportSettings, logger: Logger) {
    super();
    this.#pool = pool;
    this.seats = seats;
    this.#settings = settings;
    this.#logger = logger;
  }

  get size(): number {
    return this.#rooms.size;
  }

  getOrCreate(slug: string): Promise<MediaRoom> {
    const existing = this.#rooms.get(slug);
    if (existing) return existing;
    const created = this.#create(slug);
    this.#rooms.set(slug, created);
    created.catch(() => {
      if (this.#rooms.get(slug) === created) this.#rooms.delete(slug);
    });
    return created;
  }

  /** Ends an event's media: every transport in it closes. */
  async close(slug: string): Promise<void> {
    const room = this.#rooms.get(slug);
    this.#rooms.delete(slug);
    if (room) (await room.catch(() => undefined))?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#rooms.keys()].map((slug) => this.close(slug)));
  }

  async #create(slug: string): Promise<MediaRoom> {
    const room = await MediaRoom.create(slug, this.#pool, this.seats, this.#settings, this.#logger);
    room.once('closed', (reason) => {
      if (reason === 'workerDied') void this.#recreate(slug, room);
    });
    this.emit('roomOpened', room);
    return room;
  }

  async #recreate(slug: string, lost: MediaRoom): Promise<void> {
    const current = await this.#rooms.get(slug)?.catch(() => undefined);
    if (current !== lost) return;
    this.#rooms.delete(slug);
    try {
      const room = await this.getOrCreate(slug);
      this.#logger.warn({ slug }, 'media room recreated after its worker died');
      this.emit('roomRecreated', room);
    } catch (error) {
      this.#logger.error({ err: error, slug }, 'could not recreate media room');
    }
  }
}
