import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { MediaKind } from '../../shared/signalling';
import type { WebRtcTransportSettings } from '../../server/sfu/MediaRoom';
import type { WorkerPool } from '../../server/sfu/WorkerPool';

/**
 * Just enough of mediasoup's workers, routers, transports, producers and consumers to drive our own
 * decisions (which worker, which producer, what closes with what) without a worker process. What
 * media really does is the integration tests' business.
 */

const producers = new Map<string, FakeProducer>();

export class FakeProducer {
  readonly id: string;
  readonly kind: MediaKind;
  readonly observer = new EventEmitter();
  readonly rtpParameters: types.RtpParameters;
  closed = false;

  constructor(kind: MediaKind, id: string = crypto.randomUUID(), rtpParameters?: types.RtpParameters) {
    this.id = id;
    this.kind = kind;
    this.rtpParameters = rtpParameters ?? { codecs: [], encodings: [{ ssrc: 1 }] };
    producers.set(id, this);
  }

  async getStats(): Promise<{ bitrate: number; packetsLost: number; fractionLost: number }[]> {
    return [{ bitrate: 1000, packetsLost: 0, fractionLost: 0 }];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    producers.delete(this.id);
    this.observer.emit('close');
  }
}

export class FakeConsumer extends EventEmitter {
  readonly id = crypto.randomUUID();
  readonly kind: MediaKind;
  readonly producerId: string;
  readonly type = 'simple';
  readonly observer = new EventEmitter();
  readonly producerPaused = false;
  readonly rtpParameters: types.RtpParameters;
  paused: boolean;
  closed = false;

  constructor(producer: FakeProducer, paused: boolean) {
    super();
    this.kind = producer.kind;
    this.producerId = producer.id;
    this.paused = paused;
    const codec = producer.kind === 'audio'
      ? { mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 }
      : { mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 };
    this.rtpParameters = { codecs: [codec], encodings: [{ ssrc: 2 }] };
  }

  async pause(): Promise<void> {
    this.paused = true;
  }

  async resume(): Promise<void> {
    this.paused = false;
  }

  async requestKeyFrame(): Promise<void> {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.observer.emit('close');
  }
}

export class FakeTransport {
  readonly id = crypto.randomUUID();
  readonly type: 'webrtc' | 'plain' | 'pipe';
  readonly router: FakeRouter;
  readonly observer = new EventEmitter();
  readonly tuple = { localAddress: '127.0.0.1', localPort: 40_000 };
  readonly rtcpTuple = { localAddress: '127.0.0.1', localPort: 40_001 };
  readonly iceParameters = {};
  readonly iceCandidates = [];
  readonly dtlsParameters = {};
  readonly producers: FakeProducer[] = [];
  readonly consumers: FakeConsumer[] = [];
  closed = false;

  constructor(type: 'webrtc' | 'plain' | 'pipe', router: FakeRouter) {
    this.type = type;
    this.router = router;
  }

  async connect(): Promise<void> {}

  async produce({ kind, id, rtpParameters }: { kind: MediaKind; id?: string; rtpParameters?: types.RtpParameters }): Promise<FakeProducer> {
    const producer = new FakeProducer(kind, id, rtpParameters);
    this.producers.push(producer);
    return producer;
  }

  async consume({ producerId, paused = false }: { producerId: string; paused?: boolean }): Promise<FakeConsumer> {
    const producer = producers.get(producerId);
    if (!producer) throw new Error(`no producer ${producerId}`);
    const consumer = new FakeConsumer(producer, paused);
    this.consumers.push(consumer);
    return consumer;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const producer of this.producers) producer.close();
    for (const consumer of this.consumers) consumer.close();
    this.observer.emit('close');
  }
}

export class FakeRouter extends EventEmitter {
  readonly id = crypto.randomUUID();
  readonly worker: FakeWorker;
  readonly rtpCapabilities = { codecs: [] };
  readonly transports: FakeTransport[] = [];
  closed = false;

  constructor(worker: FakeWorker) {
    super();
    this.worker = worker;
  }

  async createWebRtcTransport(): Promise<FakeTransport> {
    return this.#transport('webrtc');
  }

  async createPlainTransport(): Promise<FakeTransport> {
    return this.#transport('plain');
  }

  async createPipeTransport(): Promise<FakeTransport> {
    return this.#transport('pipe');
  }

  async pipeToRouter(): Promise<void> {}

  canConsume(): boolean {
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const transport of this.transports) transport.close();
  }

  /** What mediasoup does to every router of a worker that dies. */
  workerDied(): void {
    this.close();
    this.emit('workerclose');
  }

  #transport(type: 'webrtc' | 'plain' | 'pipe'): FakeTransport {
    if (this.closed) throw new Error('router closed');
    const transport = new FakeTransport(type, this);
    this.transports.push(transport);
    return transport;
  }
}

export class FakeWorker {
  readonly pid: number;
  readonly routers: FakeRouter[] = [];
  closed = false;
  died = false;

  constructor(pid: number) {
    this.pid = pid;
  }

  async createRouter(): Promise<FakeRouter> {
    const router = new FakeRouter(this);
    this.routers.push(router);
    return router;
  }
}

/** A pool of fake workers whose `pick()` hands out the first one: it becomes the origin. */
export function fakePool(size: number): { pool: WorkerPool; workers: FakeWorker[] } {
  const workers = Array.from({ length: size }, (_, i) => new FakeWorker(1000 + i));
  const pool = {
    pick: async () => workers[0]!,
    alive: () => workers.filter((w) => !w.closed && !w.died),
  };
  return { pool: pool as unknown as WorkerPool, workers };
}

/** A fake as the mediasoup type our code declares it takes. */
export function asMediasoup<T>(fake: unknown): T {
  return fake as T;
}

/** What a room's WebRTC transports are made with, in tests of the rooms and peers on fakes. */
export const transportSettings: WebRtcTransportSettings = {
  listenIp: '127.0.0.1',
  announcedAddress: undefined,
  enableTcp: false,
  initialOutgoingBitrate: 600_000,
  connectTimeoutMs: 10_000,
};
