import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaKind } from '../../shared/signalling';
import type { Logger } from '../logger';
import { mediaCodecs } from './mediaCodecs';
import type { ReleaseSeat, WebRtcSeats } from './WebRtcSeats';

export interface WebRtcTransportSettings {
  listenIp: string;
  announcedAddress: string | undefined;
  enableTcp: boolean;
  initialOutgoingBitrate: number;
}

export type MediaRoomCloseReason = 'workerDied' | 'closed';

export interface MediaRoomEvents {
  producerAdded: [producer: types.Producer];
  producerClosed: [producerId: string];
  closed: [reason: MediaRoomCloseReason];
}

/**
 * One live event's router: the organizer's producers, and the transports every peer of the event
 * sends or receives through.
 */
export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  readonly slug: string;
  readonly router: types.Router;
  readonly #worker: types.Worker;
  readonly #seats: WebRtcSeats;
  readonly #transportSettings: WebRtcTransportSettings;
  readonly #producers = new Map<string, types.Producer>();
  readonly #logger: Logger;

  private constructor(
    slug: string,
    worker: types.Worker,
    router: types.Router,
    seats: WebRtcSeats,
    settings: WebRtcTransportSettings,
    logger: Logger,
  ) {
    super();
    this.slug = slug;
    this.#worker = worker;
    this.router = router;
    this.#seats = seats;
    this.#transportSettings = settings;
    this.#logger = logger;
    router.on('workerclose', () => this.#onClosed('workerDied'));
  }

  static async create(
    slug: string,
    worker: types.Worker,
    seats: WebRtcSeats,
    settings: WebRtcTransportSettings,
    logger: Logger,
  ): Promise<MediaRoom> {
    const router = await worker.createRouter({ mediaCodecs, appData: { slug } });
    return new MediaRoom(slug, worker, router, seats, settings, logger.child({ slug, routerId: router.id }));
  }

  get closed(): boolean {
    return this.router.closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /** Whether one more attendee could receive this event over WebRTC now. */
  get seatAvailable(): boolean {
    return this.#seats.available(this.#worker);
  }

  takeSeat(): ReleaseSeat | undefined {
    return this.#seats.take(this.#worker);
  }

  producers(): { producerId: string; kind: MediaKind }[] {
    return [...this.#producers.values()].map((p) => ({ producerId: p.id, kind: p.kind }));
  }

  getProducer(id: string): types.Producer | undefined {
    return this.#producers.get(id);
  }

  async createWebRtcTransport(): Promise<types.WebRtcTransport> {
    const { listenIp, announcedAddress, enableTcp, initialOutgoingBitrate } = this.#transportSettings;
    const listenInfos: types.TransportListenInfo[] = [{ protocol: 'udp', ip: listenIp, announcedAddress }];
    // ICE over TCP reaches attendees on networks that drop UDP, which throttled ones often do.
    if (enableTcp) listenInfos.push({ protocol: 'tcp', ip: listenIp, announcedAddress });
    return this.router.createWebRtcTransport({
      listenInfos,
      enableUdp: true,
      enableTcp,
      preferUdp: true,
      initialAvailableOutgoingBitrate: initialOutgoingBitrate,
    });
  }

  /** Only one producer of each kind: a second one (the organizer republishing) replaces the first. */
  addProducer(producer: types.Producer): void {
    for (const existing of this.#producers.values()) {
      if (existing.kind === producer.kind) existing.close();
    }
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.closed) this.emit('producerClosed', producer.id);
    });
    this.#logger.info({ producerId: producer.id, kind: producer.kind }, 'producer added');
    this.emit('producerAdded', producer);
  }

  close(): void {
    if (this.router.closed) return;
    this.router.close();
    this.#onClosed('closed');
  }

  #onClosed(reason: MediaRoomCloseReason): void {
    this.#producers.clear();
    this.#logger.info({ reason }, 'media room closed');
    this.emit('closed', reason);
  }
}
