import type { types } from 'mediasoup';
import type { EdgeConsumeResponse } from '../../shared/edge';
import type { z } from 'zod';
import { NotFoundError } from '../errors';

export interface PipeSettings {
  listenIp: string;
  announcedAddress: string | undefined;
}

export interface PipeAddress {
  ip: string;
  port: number;
}

/** What one end needs to produce, on its side, a producer consumed at the other end. */
export type PipedProducer = z.infer<typeof EdgeConsumeResponse>;

/**
 * A PipeTransport between this room and the same event's room on another host (origin ↔ edge). The
 * origin's end `consume`s its producers into it; the edge's end `produce`s them into its room, where
 * they are published as if the organizer were here. Opened and owned by {@link MediaRoom.openPipe},
 * closed with the room.
 */
export class RoomPipe {
  readonly #transport: types.PipeTransport;
  readonly #hasProducer: (producerId: string) => boolean;
  readonly #publish: (producer: types.Producer) => void;
  readonly #onClose: () => void;
  readonly #produced = new Map<string, types.Producer>();
  #closed = false;

  private constructor(
    transport: types.PipeTransport,
    hasProducer: (producerId: string) => boolean,
    publish: (producer: types.Producer) => void,
    onClose: () => void,
  ) {
    this.#transport = transport;
    this.#hasProducer = hasProducer;
    this.#publish = publish;
    this.#onClose = onClose;
  }

  /** @internal Use {@link MediaRoom.openPipe}. */
  static async open(
    router: types.Router,
    settings: PipeSettings,
    room: { hasProducer: (producerId: string) => boolean; publish: (producer: types.Producer) => void },
    onClose: () => void,
  ): Promise<RoomPipe> {
    const transport = await router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip: settings.listenIp, announcedAddress: settings.announcedAddress },
    });
    return new RoomPipe(transport, room.hasProducer, room.publish, onClose);
  }

  /** This end's address; the announced one when one is configured. */
  get local(): PipeAddress {
    return { ip: this.#transport.tuple.localAddress, port: this.#transport.tuple.localPort };
  }

  get closed(): boolean {
    return this.#closed || this.#transport.closed;
  }

  async connect(remote: PipeAddress): Promise<void> {
    await this.#transport.connect(remote);
  }

  /** At the origin: sends one of the room's producers through the pipe. */
  async consume(producerId: string): Promise<PipedProducer> {
    if (!this.#hasProducer(producerId)) throw new NotFoundError('producer');
    const consumer = await this.#transport.consume({ producerId });
    return { producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters as unknown as PipedProducer['rtpParameters'], paused: consumer.producerPaused };
  }

  /**
   * At the edge: receives a producer consumed at the other end and publishes it in the room, with the
   * same id as at the origin so attendees' producer notifications mean the same thing on both hosts.
   */
  async produce(remote: PipedProducer): Promise<void> {
    if (this.#produced.has(remote.producerId)) return;
    const producer = await this.#transport.produce({
      id: remote.producerId,
      kind: remote.kind,
      rtpParameters: remote.rtpParameters as unknown as types.RtpParameters,
      paused: remote.paused,
    });
    this.#produced.set(producer.id, producer);
    producer.observer.once('close', () => this.#produced.delete(producer.id));
    this.#publish(producer);
  }

  /** At the edge: the origin's producer closed, so does its copy here. */
  closeProducer(producerId: string): void {
    this.#produced.get(producerId)?.close();
  }

  has(producerId: string): boolean {
    return this.#produced.has(producerId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.close();
    this.#onClose();
  }
}
