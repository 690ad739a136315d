import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import type { Config } from './config';
import { EventService } from './events/EventService';
import { EventStore } from './events/EventStore';
import { loadInstanceKey } from './events/organizerKeys';
import { createApp } from './http/createApp';
import type { Logger } from './logger';
import { MediaRoomRegistry } from './sfu/MediaRoomRegistry';
import { MediaSignalling, type MediaNamespace } from './sfu/MediaSignalling';
import { WorkerPool } from './sfu/WorkerPool';
import { MEDIA_NAMESPACE } from '../shared/signalling';
import { openDatabase, type Database } from './storage/openDatabase';

/** Socket.io frames are small control messages; a megabyte (the default) invites abuse. */
const MAX_SOCKET_PAYLOAD_BYTES = 64 * 1024;

/** The whole server: storage, the SFU, HTTP and signalling, started and closed together. */
export class JalsaServer {
  readonly config: Config;
  readonly events: EventService;
  readonly workers: WorkerPool;
  readonly rooms: MediaRoomRegistry;
  readonly instanceKey: string;
  readonly #db: Database;
  readonly #httpServer: http.Server;
  readonly #io: SocketIoServer;
  readonly #signalling: MediaSignalling;
  readonly #logger: Logger;

  private constructor(parts: {
    config: Config;
    db: Database;
    events: EventService;
    workers: WorkerPool;
    rooms: MediaRoomRegistry;
    instanceKey: string;
    logger: Logger;
  }) {
    this.config = parts.config;
    this.#db = parts.db;
    this.events = parts.events;
    this.workers = parts.workers;
    this.rooms = parts.rooms;
    this.instanceKey = parts.instanceKey;
    this.#logger = parts.logger;

    const app = createApp({
      events: this.events,
      logger: this.#logger,
      health: () => ({ database: this.#db.open, mediaWorkers: this.workers.aliveCount === this.workers.size }),
      clientDir: this.config.http.serveClient ? this.config.clientDir : undefined,
    });
    this.#httpServer = http.createServer(app);
    this.#io = new SocketIoServer(this.#httpServer, {
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
      serveClient: false,
    });
    this.#signalling = new MediaSignalling(
      this.#io.of(MEDIA_NAMESPACE) as MediaNamespace,
      this.events,
      this.rooms,
      this.#logger.child({ module: 'signalling' }),
    );
  }

  static async start(config: Config, logger: Logger): Promise<JalsaServer> {
    const db = openDatabase(config.dataDir);
    const instanceKey = loadInstanceKey(config.dataDir, config.organizerKey);
    const events = new EventService(new EventStore(db), instanceKey);
    const workers = await WorkerPool.create(
      { size: config.sfu.workers, rtcMinPort: config.sfu.minPort, rtcMaxPort: config.sfu.maxPort },
      logger.child({ module: 'workers' }),
    );
    const rooms = new MediaRoomRegistry(workers, config.sfu, logger.child({ module: 'rooms' }));
    const server = new JalsaServer({ config, db, events, workers, rooms, instanceKey, logger });
    await server.#listen();
    return server;
  }

  get port(): number {
    return (this.#httpServer.address() as AddressInfo).port;
  }

  get url(): string {
    return this.config.http.publicUrl ?? `http://${displayHost(this.config.http.host)}:${this.port}`;
  }

  async close(): Promise<void> {
    this.#signalling.close();
    await this.rooms.closeAll();
    this.workers.close();
    await new Promise<void>((resolve) => this.#io.close(() => resolve()));
    this.#db.close();
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#httpServer.once('error', reject);
      this.#httpServer.listen(this.config.http.port, this.config.http.host, () => {
        this.#httpServer.off('error', reject);
        resolve();
      });
    });
  }
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}
