import type { types } from 'mediasoup';
import type { IngestStream, MediaKind } from '../../shared/signalling';
import { InvalidStateError, UnavailableError } from '../errors';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import { mediaCodecs } from './mediaCodecs';
import { PlainPublication, type PlainTrack } from './PlainPublication';
import { RoomPipe, type PipeSettings } from './RoomPipe';
import { RtpTap } from './RtpTap';
import type { ReleaseSeat, WebRtcSeats } from './WebRtcSeats';
import type { WorkerPool } from './WorkerPool';

export interface WebRtcTransportSettings {
  listenIp: string;
  announcedAddress: string | undefined;
  enableTcp: boolean;
  initialOutgoingBitrate: number;
  /** A receive transport not ICE-connected this long after it was made is closed, and its seat freed. */
  connectTimeoutMs: number;
}

export type MediaRoomCloseReason = 'workerDied' | 'closed';

export interface ProducerInfo {
  producerId: string;
  kind: MediaKind;
}

/** Something attached to the room that must not outlive it. */
export interface RoomChild {
  close(): void;
}

export interface MediaRoomEvents {
  producerAdded: [producer: ProducerInfo];
  producerClosed: [producerId: string];
  closed: [reason: MediaRoomCloseReason];
}

export interface ReceiveTransport {
  transport: types.WebRtcTransport;
  /** The router the transport belongs to: consumers must be made there. */
  router: types.Router;
  /**
   * Makes sure the transport holds its seat before anything is consumed on it; a no-op once it does
   * (or when it needs none). The seat goes back when the transport closes.
   * @throws UnavailableError (`seatsFull`) when the transport's worker has no seat left.
   */
  takeSeat: () => void;
}

/** RTCP's fraction lost is in 256ths. */
const FRACTION_LOST_SCALE = 256;

/**
 * One live event's media, and the owner of everything attached to it. The organizer's producers live
 * on the origin router; attendees receive from a router on whichever worker has the most free seats,
 * each fed from the origin with `pipeToRouter`, so one event spreads over every core instead of being
 * held to one. Whatever else attaches to the event's media (the packager's RTP tap, a local process
 * publishing, a pipe to another host) is opened here, kept here and closed with the room, so nothing
 * outside `server/sfu` touches a router.
 */
export class MediaRoom extends SafeEmitter<MediaRoomEvents> {
  readonly slug: string;
  /** The origin router: producers, the packager and file sources attach here. */
  readonly #router: types.Router;
  readonly #pool: WorkerPool;
  readonly #originWorker: types.Worker;
  readonly #seats: WebRtcSeats;
  readonly #transportSettings: WebRtcTransportSettings;
  readonly #producers = new Map<string, types.Producer>();
  /** Per worker, its router for this event, ready once every current producer is piped into it. */
  readonly #routers = new Map<types.Worker, Promise<types.Router>>();
  /** Per fan-out router, the pipes still being set up (new producers arriving while attendees consume). */
  readonly #piping = new Map<types.Router, Promise<void>>();
  /** Connect timeouts of receive transports made while the room had no producer, started by the first. */
  readonly #awaitingProducer = new Set<() => void>();
  /** What attaches to the room; each takes itself off when it closes. */
  readonly #children = new Set<RoomChild>();
  readonly #logger: Logger;
  #closed = false;

  private constructor(
    slug: string,
    origin: { worker: types.Worker; router: types.Router },
    pool: WorkerPool,
    seats: WebRtcSeats,
    settings: WebRtcTransportSettings,
    logger: Logger,
  ) {
    super(logger);
    this.slug = slug;
    this.#router = origin.router;
    this.#pool = pool;
    this.#originWorker = origin.worker;
    this.#seats = seats;
    this.#transportSettings = settings;
    this.#logger = logger;
    this.#routers.set(origin.worker, Promise.resolve(origin.router));
    this.#watch(origin.router);
  }

  static async create(
    slug: string,
    pool: WorkerPool,
    seats: WebRtcSeats,
    settings: WebRtcTransportSettings,
    logger: Logger,
  ): Promise<MediaRoom> {
    const worker = await pool.pick();
    const router = await worker.createRouter({ mediaCodecs, appData: { slug } });
    return new MediaRoom(slug, { worker, router }, pool, seats, settings, logger.child({ slug, routerId: router.id }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** Whether one more attendee could receive this event over WebRTC now. */
  get seatAvailable(): boolean {
    return this.#pool.alive().some((worker) => this.#seats.available(worker));
  }

  producers(): { producerId: string; kind: MediaKind }[] {
    return [...this.#producers.values()].map((p) => ({ producerId: p.id, kind: p.kind }));
  }

  hasProducer(id: string): boolean {
    return this.#producers.has(id);
  }

  /** The organizer sends to the origin router. */
  createSendTransport(): Promise<types.WebRtcTransport> {
    return this.#createWebRtcTransport(this.#router);
  }

  /**
   * An attendee receives from the router of the worker with the most free seats; organizers watching
   * their own event need no seat and use the origin. The seat is taken when there is something to
   * receive: at once in a room with producers, else at the first consume. An attendee waiting for the
   * organizer to start sending (which may take long after going live) then holds no seat meanwhile, so
   * a socket that makes a transport early and never uses it keeps nobody else from watching.
   * @throws UnavailableError (`seatsFull`) when no worker has a seat left.
   */
  async createReceiveTransport(needsSeat: boolean): Promise<ReceiveTransport> {
    if (!needsSeat) {
      const transport = this.#closeUnlessConnected(await this.#createWebRtcTransport(this.#router));
      return { transport, router: this.#router, takeSeat: () => undefined };
    }
    // The origin's core also carries the organizer's producers and the packager: others go first.
    const load = (w: types.Worker) => this.#seats.taken(w) + (w === this.#originWorker ? 0.5 : 0);
    const worker = this.#pool
      .alive()
      .filter((w) => this.#seats.available(w))
      .sort((a, b) => load(a) - load(b))[0];
    if (!worker) throw seatsFull();
    let releaseSeat: ReleaseSeat | undefined;
    let gone = false;
    const takeSeat = () => {
      // A seat taken for a closed transport would never be given back.
      if (gone) throw new InvalidStateError('the receive transport closed');
      releaseSeat ??= this.#seats.take(worker);
      if (!releaseSeat) throw seatsFull();
    };
    // Taken before the awaits below, so that concurrent requests cannot all count the same free seat.
    if (this.#producers.size > 0) takeSeat();
    try {
      const router = await this.#routerOn(worker);
      const transport = this.#closeUnlessConnected(await this.#createWebRtcTransport(router));
      transport.observer.once('close', () => {
        gone = true;
        releaseSeat?.();
      });
      return { transport, router, takeSeat };
    } catch (error) {
      releaseSeat?.();
      throw error;
    }
  }

  /** Resolves once every producer of the room is available on `router`. */
  async whenPiped(router: types.Router): Promise<void> {
    await this.#piping.get(router);
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
    for (const router of this.#piping.keys()) this.#pipe(producer.id, router);
    for (const start of this.#awaitingProducer) start();
    this.#awaitingProducer.clear();
    this.#logger.info({ producerId: producer.id, kind: producer.kind }, 'producer added');
    this.emit('producerAdded', { producerId: producer.id, kind: producer.kind });
  }

  /** The current producers of `kinds` as plain RTP towards loopback, for a local consumer (the packager). */
  openRtpTap(kinds: readonly MediaKind[] = ['audio', 'video']): Promise<RtpTap> {
    const producers = [...this.#producers.values()].filter((p) => kinds.includes(p.kind));
    return this.#own((onClose) => RtpTap.open(this.#router, producers, onClose));
  }

  /** Plain RTP transports and producers for a local process to send into; they join the room on `publish()`. */
  publishPlain(tracks: PlainTrack[]): Promise<PlainPublication> {
    return this.#own((onClose) =>
      PlainPublication.open(this.#router, tracks, (producers) => producers.forEach((p) => this.addProducer(p)), onClose),
    );
  }

  /** A pipe to this event's room on another host (origin ↔ edge). */
  openPipe(settings: PipeSettings): Promise<RoomPipe> {
    const room = { hasProducer: (id: string) => this.hasProducer(id), publish: (p: types.Producer) => this.addProducer(p) };
    return this.#own((onClose) => RoomPipe.open(this.#router, settings, room, onClose));
  }

  /** Attaches something that must close with the room (e.g. the link feeding an edge's room). */
  adopt(child: RoomChild): void {
    if (this.#closed) {
      child.close();
      return;
    }
    this.#children.add(child);
  }

  /** The organizer's media as the SFU receives it, one entry per producer. */
  async ingestStats(): Promise<IngestStream[]> {
    const streams = await Promise.all([...this.#producers.values()].map(ingestStream));
    return streams.flatMap((stream) => stream ?? []);
  }

  close(): void {
    if (this.#closed) return;
    this.#closeRouters();
    this.#onClosed('closed');
  }

  /** Registers what `open` creates; it takes itself off when it closes, and is closed with the room. */
  async #own<C extends RoomChild>(open: (onClose: () => void) => Promise<C>): Promise<C> {
    if (this.#closed) throw new UnavailableError('the event’s media has closed');
    let child: C | undefined;
    child = await open(() => {
      if (child) this.#children.delete(child);
    });
    this.adopt(child);
    return child;
  }

  #routerOn(worker: types.Worker): Promise<types.Router> {
    let router = this.#routers.get(worker);
    if (!router) {
      router = worker.createRouter({ mediaCodecs, appData: { slug: this.slug } }).then((created) => {
        this.#watch(created);
        this.#piping.set(created, Promise.resolve());
        for (const producerId of this.#producers.keys()) this.#pipe(producerId, created);
        return created;
      });
      this.#routers.set(worker, router);
      router.catch(() => this.#routers.delete(worker));
    }
    return router.then(async (ready) => {
      await this.whenPiped(ready);
      return ready;
    });
  }

  #pipe(producerId: string, target: types.Router): void {
    const previous = this.#piping.get(target) ?? Promise.resolve();
    const piped = previous
      .then(() => this.#router.pipeToRouter({ producerId, router: target }))
      .then(
        () => undefined,
        (error: unknown) => {
          // The producer may have closed meanwhile; attendees then simply never see it.
          if (this.#producers.has(producerId)) this.#logger.error({ err: error, producerId }, 'piping a producer failed');
        },
      );
    this.#piping.set(target, piped);
  }

  async #createWebRtcTransport(router: types.Router): Promise<types.WebRtcTransport> {
    const { listenIp, announcedAddress, enableTcp, initialOutgoingBitrate } = this.#transportSettings;
    const listenInfos: types.TransportListenInfo[] = [{ protocol: 'udp', ip: listenIp, announcedAddress }];
    // ICE over TCP reaches attendees on networks that drop UDP, which throttled ones often do.
    if (enableTcp) listenInfos.push({ protocol: 'tcp', ip: listenIp, announcedAddress });
    return router.createWebRtcTransport({
      listenInfos,
      enableUdp: true,
      enableTcp,
      preferUdp: true,
      initialAvailableOutgoingBitrate: initialOutgoingBitrate,
    });
  }

  /**
   * A receive transport holds ports (and, once there is something to receive, a seat) from the moment
   * it is made; one whose client never completes ICE (gone, or never meant to connect) gives them back
   * instead of holding them all event long.
   * A client connects once it has something to receive, so in a room without producers yet (the
   * organizer live but not yet sending) the clock starts with the first one.
   */
  #closeUnlessConnected(transport: types.WebRtcTransport): types.WebRtcTransport {
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      timer = setTimeout(() => {
        this.#logger.debug({ transportId: transport.id }, 'receive transport never connected; closed');
        transport.close();
      }, this.#transportSettings.connectTimeoutMs);
      timer.unref();
    };
    const stop = () => {
      clearTimeout(timer);
      this.#awaitingProducer.delete(start);
    };
    if (this.#producers.size > 0) start();
    else this.#awaitingProducer.add(start);
    transport.observer.on('icestatechange', (state) => {
      if (state === 'connected' || state === 'completed') stop();
    });
    transport.observer.once('close', stop);
    return transport;
  }

  /** Any of the room's workers dying loses the room: its clients set their media up again elsewhere. */
  #watch(router: types.Router): void {
    router.once('workerclose', () => {
      if (this.#closed) return;
      this.#closeRouters();
      this.#onClosed('workerDied');
    });
  }

  #closeRouters(): void {
    this.#closed = true;
    for (const router of this.#routers.values()) void router.then((r) => r.close(), () => undefined);
  }

  #onClosed(reason: MediaRoomCloseReason): void {
    for (const child of [...this.#children]) child.close();
    this.#children.clear();
    this.#producers.clear();
    this.#logger.info({ reason }, 'media room closed');
    this.emit('closed', reason);
  }
}

/** A simulcast producer has a stream per layer: their bitrates add up, the worst loss counts. */
async function ingestStream(producer: types.Producer): Promise<IngestStream | undefined> {
  const stats = await producer.getStats().catch(() => undefined);
  if (!stats || producer.closed) return undefined;
  return {
    kind: producer.kind,
    bitrateBps: stats.reduce((sum, s) => sum + s.bitrate, 0),
    packetsLost: stats.reduce((sum, s) => sum + Math.max(0, s.packetsLost), 0),
    lossFraction: Math.min(1, Math.max(0, ...stats.map((s) => s.fractionLost)) / FRACTION_LOST_SCALE),
  };
}

function seatsFull(): UnavailableError {
  return new UnavailableError('all WebRTC seats are taken; play the HLS stream instead', 'seatsFull');
}
