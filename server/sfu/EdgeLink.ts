import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/errors';
import { EDGE_NAMESPACE, edgeRequests } from '../../shared/edge';
import { PublicEvent } from '../../shared/events';
import { MEDIA_NAMESPACE, mediaNotifications, mediaRequests } from '../../shared/signalling';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import type { MediaRoom, RoomChild } from './MediaRoom';
import type { PipeSettings, RoomPipe } from './RoomPipe';

export interface EdgeOrigin {
  url: string;
  clusterKey: string;
}

/**
 * An edge SFU's feed of one event from the origin. On `/media` it listens like an attendee (status
 * changes, producers coming and going); on `/edge` it opens a PipeTransport and brings each origin
 * producer into the local room, where this host's attendees consume it as if it were published here.
 */
export class EdgeLink implements RoomChild {
  readonly #room: MediaRoom;
  readonly #events: EventService;
  readonly #pipeSettings: PipeSettings;
  readonly #logger: Logger;
  readonly #media: Socket;
  readonly #edge: Socket;
  #pipe: RoomPipe | undefined;
  #setup: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(room: MediaRoom, events: EventService, origin: EdgeOrigin, pipe: PipeSettings, logger: Logger) {
    this.#room = room;
    this.#events = events;
    this.#pipeSettings = pipe;
    this.#logger = logger.child({ slug: room.slug, module: 'edge-link' });
    this.#media = io(`${origin.url}${MEDIA_NAMESPACE}`, { transports: ['websocket'] });
    this.#edge = io(`${origin.url}${EDGE_NAMESPACE}`, { transports: ['websocket'], auth: { clusterKey: origin.clusterKey } });
    this.#media.on('connect', () => this.#resync());
    this.#media.on('reconnect', () => this.#resync());
    this.#media.on('eventUpdated', (payload: unknown) => {
      const event = mediaNotifications.eventUpdated.safeParse(payload);
      if (event.success) this.#events.mirror(event.data);
    });
    this.#media.on('producerAdded', (payload: unknown) => {
      const added = mediaNotifications.producerAdded.safeParse(payload);
      if (added.success) this.#queue(() => this.#bring(added.data.producerId));
    });
    this.#media.on('producerClosed', (payload: unknown) => {
      const closed = mediaNotifications.producerClosed.safeParse(payload);
      if (closed.success) this.#pipe?.closeProducer(closed.data.producerId);
    });
    this.#edge.on('connect_error', (error) => this.#logger.warn({ err: error }, 'origin refused the edge link'));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#media.close();
    this.#edge.close();
    this.#pipe?.close();
  }

  /** (Re)joins the event at the origin and pipes in every producer it has now. */
  #resync(): void {
    this.#queue(async () => {
      this.#pipe?.close();
      this.#pipe = undefined;
      const joined = mediaRequests.join[1].parse(await this.#request(this.#media, 'join', { slug: this.#room.slug }));
      this.#events.mirror(PublicEvent.parse(joined.event));
      if (joined.event.status !== 'live') return;
      const pipe = await this.#room.openPipe(this.#pipeSettings);
      this.#pipe = pipe;
      const origin = edgeRequests.openPipe[1].parse(
        await this.#request(this.#edge, 'openPipe', { slug: this.#room.slug, ...pipe.local }),
      );
      await pipe.connect(origin);
      for (const { producerId } of joined.producers) await this.#bring(producerId);
    });
  }

  async #bring(producerId: string): Promise<void> {
    const pipe = this.#pipe;
    if (!pipe || pipe.closed || pipe.has(producerId)) return;
    const remote = edgeRequests.consume[1].parse(
      await this.#request(this.#edge, 'consume', { slug: this.#room.slug, producerId }),
    );
    await pipe.produce(remote);
  }

  #queue(task: () => Promise<void>): void {
    this.#setup = this.#setup.then(async () => {
      if (this.#closed || this.#room.closed) return;
      try {
        await task();
      } catch (error) {
        this.#logger.error({ err: error }, 'relaying from the origin failed');
      }
    });
  }

  #request(socket: Socket, name: string, payload: unknown): Promise<unknown> {
    return (socket.timeout(10_000).emitWithAck(name, payload) as Promise<Ack<unknown>>).then((ack) => {
      if (!ack.ok) throw new Error(`origin answered ${name}: ${ack.error.code} ${ack.error.message}`);
      return ack.data;
    });
  }
}
