import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import { MediaRoom, type ProducerInfo, type WebRtcTransportSettings } from './MediaRoom';
import type { WebRtcSeats } from './WebRtcSeats';
import type { WorkerPool } from './WorkerPool';

export interface MediaRoomRegistryEvents {
  roomOpened: [room: MediaRoom];
  /** The room's worker died and a new room replaced it; clients must set their media up again. */
  roomRecreated: [room: MediaRoom];
  /** Any room's producers, so that whoever tells clients about them need not follow each room. */
  producerAdded: [slug: string, producer: ProducerInfo];
  producerClosed: [slug: string, producerId: string];
}

/** The live events' media rooms, one per event, spread over the worker pool. */
export class MediaRoomRegistry extends SafeEmitter<MediaRoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly seats: WebRtcSeats;
  readonly #settings: WebRtcTransportSettings;
  readonly #logger: Logger;
  /** Promises, so that two peers joining at once share one router instead of racing to make two. */
  readonly #rooms = new Map<string, Promise<MediaRoom>>();
  /** The same rooms once made, for those who only read an event's media and never open it. */
  readonly #open = new Map<string, MediaRoom>();

  constructor(pool: WorkerPool, seats: WebRtcSeats, settings: WebRtcTransportSettings, logger: Logger) {
    super(logger);
    this.#pool = pool;
    this.seats = seats;
    this.#settings = settings;
    this.#logger = logger;
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** The event's room if it is open now. */
  get(slug: string): MediaRoom | undefined {
    return this.#open.get(slug);
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
    this.#open.set(slug, room);
    room.on('producerAdded', (producer) => this.emit('producerAdded', slug, producer));
    room.on('producerClosed', (producerId) => this.emit('producerClosed', slug, producerId));
    room.once('closed', (reason) => {
      if (this.#open.get(slug) === room) this.#open.delete(slug);
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
