import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server as SocketIoServer } from 'socket.io';
import { CHAT_NAMESPACE } from '../shared/chat';
import { ChatNamespace, type ChatNamespaceServer } from './chat/ChatNamespace';
import { ChatService } from './chat/ChatService';
import { chatRoutes } from './chat/chatRoutes';
import type { Config } from './config';
import { EventService } from './events/EventService';
import { reapOrphanedFfmpeg } from './ffmpeg/orphans';
import { EventStore } from './events/EventStore';
import { InstanceKey } from './events/organizerKeys';
import { OriginEventSource } from './events/OriginEventSource';
import { HlsService, recordingsDirIn } from './hls/HlsService';
import { OriginRecordings } from './hls/OriginRecordings';
import { createApp } from './http/createApp';
import { fileBroadcastRoutes, isUploadRequest } from './http/fileBroadcastRoutes';
import { edgeRecordingRoutes } from './http/edgeRecordingRoutes';
import { mirrorRoutes } from './http/mirrorRoutes';
import { rtmpRoutes } from './http/rtmpRoutes';
import { recordingRoutes } from './http/recordingRoutes';
import { whipRoutes } from './http/whipRoutes';
import { enforceRequestDeadline } from './http/requestDeadline';
import { removeStaleUploads } from './http/staleUploads';
import { UploadSlots } from './http/UploadSlots';
import type { Logger } from './logger';
import { ChatRate } from './metrics/ChatRate';
import { EventAudience } from './metrics/EventAudience';
import { EventStatsCollector } from './metrics/EventStatsCollector';
import { EventStatsFeed } from './metrics/EventStatsFeed';
import { Metrics } from './metrics/Metrics';
import { AddressConnectionLimit } from './realtime/AddressConnectionLimit';
import { ServerAdmission } from './realtime/ServerAdmission';
import { EdgeFeeds } from './sfu/EdgeFeeds';
import { EdgeFeedSignalling } from './sfu/EdgeFeedSignalling';
import { EventStills } from './sfu/EventStills';
import { FileBroadcaster } from './sfu/FileBroadcaster';
import { RtmpIngest } from './rtmp/RtmpIngest';
import { MediaRoomRegistry } from './sfu/MediaRoomRegistry';
import { MediaSignalling, type MediaNamespace } from './sfu/MediaSignalling';
import { OrganizerAbsence } from './sfu/OrganizerAbsence';
import { WebRtcSeats } from './sfu/WebRtcSeats';
import { WhipIngest } from './sfu/WhipIngest';
import { WorkerPool } from './sfu/WorkerPool';
import { EDGE_NAMESPACE } from '../shared/edge';
import { MEDIA_NAMESPACE } from '../shared/signalling';
import { cachedWritableCheck } from './storage/isWritable';
import { openDatabase, type Database } from './storage/openDatabase';

/** How often `/healthz` really probes the recordings' storage (by writing a file); answers in between reuse it. */
const STORAGE_CHECK_INTERVAL_MS = 10_000;

/** Socket.io frames are small control messages; a megabyte (the default) invites abuse. */
const MAX_SOCKET_PAYLOAD_BYTES = 64 * 1024;

/** The whole server: storage, the SFU, HTTP and signalling, started and closed together. */
export class JalsaServer {
  readonly config: Config;
  readonly events: EventService;
  readonly workers: WorkerPool;
  readonly rooms: MediaRoomRegistry;
  readonly hls: HlsService;
  readonly fileBroadcasts: FileBroadcaster;
  /** Whether each live event's organizer is there, and how long a lost one is waited for. */
  readonly organizerAbsence: OrganizerAbsence;
  /** Encoders publishing over RTMP; undefined when RTMP is off (or on an edge). */
  readonly rtmp: RtmpIngest | undefined;
  /** Encoders (OBS) publishing over WHIP. */
  readonly whip: WhipIngest;
  /** What an event shows instead of a camera: the organizer's picture, the title slate, the hold slate. */
  readonly stills: EventStills;
  /** Who follows each event here and how they play it (for the dashboard and metrics). */
  readonly audience = new EventAudience();
  readonly chat: ChatService;
  readonly #instanceKey: InstanceKey;
  readonly #db: Database;
  readonly #httpServer: http.Server;
  readonly #io: SocketIoServer;
  readonly #signalling: MediaSignalling;
  readonly #edgeFeeds: EdgeFeeds | undefined;
  readonly #chatNamespace: ChatNamespace;
  readonly #chatRate: ChatRate;
  readonly #stats: EventStatsCollector;
  readonly #statsFeed: EventStatsFeed;
  readonly #metrics: Metrics;
  readonly #admission: ServerAdmission;
  readonly #logger: Logger;

  private constructor(parts: {
    config: Config;
    db: Database;
    events: EventService;
    workers: WorkerPool;
    rooms: MediaRoomRegistry;
    hls: HlsService;
    stills: EventStills;
    chat: ChatService;
    instanceKey: InstanceKey;
    logger: Logger;
  }) {
    this.config = parts.config;
    this.#db = parts.db;
    this.events = parts.events;
    this.workers = parts.workers;
    this.rooms = parts.rooms;
    this.hls = parts.hls;
    this.stills = parts.stills;
    this.chat = parts.chat;
    this.#instanceKey = parts.instanceKey;
    this.#logger = parts.logger;
    const { clusterKey, originUrl, pipeListenIp, pipeAnnouncedAddress } = this.config.cluster;
    this.#edgeFeeds =
      originUrl && clusterKey
        ? new EdgeFeeds(
            this.events,
            this.rooms,
            { url: originUrl, clusterKey },
            { listenIp: pipeListenIp, announcedAddress: pipeAnnouncedAddress },
            this.#logger.child({ module: 'edge' }),
          )
        : undefined;
    this.fileBroadcasts = new FileBroadcaster(
      this.events,
      this.rooms,
      this.stills,
      { maxSeconds: this.config.uploads.maxSeconds },
      this.#logger.child({ module: 'file-broadcast' }),
    );
    this.organizerAbsence = new OrganizerAbsence(
      this.events,
      {
        graceMs: this.config.organizerReturnGraceMs,
        // An encoder sending over RTMP carries the event as a file does: a studio tab closed meanwhile is no absence.
        fileBroadcasting: (slug) => this.fileBroadcasts.isRunning(slug) || this.rtmp?.status(slug)?.state === 'receiving',
      },
      this.#logger.child({ module: 'organizer-absence' }),
    );
    this.organizerAbsence.on('gap', (slug, from, to) => void this.hls.markGap(slug, from, to));
    this.whip = new WhipIngest(
      this.events,
      this.rooms,
      this.fileBroadcasts,
      this.organizerAbsence,
      { connectTimeoutMs: this.config.sfu.connectTimeoutMs },
      this.#logger.child({ module: 'whip' }),
    );

    this.rtmp =
      this.config.rtmp.enabled && !originUrl
        ? new RtmpIngest(
            this.events,
            this.rooms,
            this.fileBroadcasts,
            {
              port: this.config.rtmp.port,
              host: this.config.rtmp.host,
              publishDeadlineMs: this.config.rtmp.connectTimeoutMs,
              idleTimeoutMs: this.config.rtmp.idleTimeoutMs,
            },
            this.#logger.child({ module: 'rtmp' }),
          )
        : undefined;

    this.#chatRate = new ChatRate(this.chat);
    this.#stats = new EventStatsCollector({
      events: this.events,
      rooms: this.rooms,
      hls: this.hls,
      seats: this.rooms.seats,
      workerCount: () => this.workers.size,
      audience: this.audience,
      chatRate: this.#chatRate,
    });
    this.#admission = new ServerAdmission(this.config.admission);
    this.#metrics = new Metrics({
      collector: this.#stats,
      admission: this.#admission.control,
      recordings: this.hls,
      audience: this.audience,
      chat: this.chat,
      token: this.config.metricsToken,
    });

    const storageWritable = cachedWritableCheck(this.hls.recordingsDir, STORAGE_CHECK_INTERVAL_MS);
    // On an edge, the origin's files and steering, kept here for the edge's attendees.
    const originRecordings = originUrl
      ? new OriginRecordings(originUrl, this.#logger.child({ module: 'edge-hls' }), { cacheBytes: this.config.cluster.hlsCacheBytes })
      : undefined;
    const app = createApp({
      events: this.events,
      remains: { chat: this.chat, recordings: this.hls, stills: this.stills },
      logger: this.#logger,
      requestsPerSecondPerAddress: this.config.httpAddressRequestsPerSecond,
      health: async () => ({
        database: this.#db.open,
        mediaWorkers: this.workers.aliveCount === this.workers.size,
        storage: await storageWritable(),
        packager: this.#stats.failedPackagers().length === 0,
      }),
      clientDir: this.config.http.serveClient ? this.config.clientDir : undefined,
      routers: [
        this.#metrics.routes(),
        // An edge records nothing: its attendees' HLS, posters and replays come from the origin through it.
        originRecordings ? edgeRecordingRoutes(originRecordings) : recordingRoutes(this.events, this.hls),
        mirrorRoutes(this.events, originRecordings && ((slug) => originRecordings.mirrorSettings(slug))),
        chatRoutes(this.chat),
        whipRoutes(this.events, this.whip),
        fileBroadcastRoutes(uploadsDir(this.config), this.events, this.fileBroadcasts, this.stills, new UploadSlots(this.config.uploads.concurrency), {
          maxBytes: this.config.uploads.maxBytes,
          idleTimeoutMs: this.config.uploads.idleTimeoutMs,
          drainMs: this.config.http.requestTimeoutMs,
        }),
        rtmpRoutes(this.events, { ingest: this.rtmp, publicAddress: this.config.rtmp.publicAddress, publicUrl: this.config.http.publicUrl }),
      ],
    });
    this.#httpServer = http.createServer(app);
    const connectionLimit = new AddressConnectionLimit(this.config.connectionsPerAddress);
    this.#io = new SocketIoServer(this.#httpServer, {
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
      serveClient: false,
      // One address first (cheap, and it keeps one machine from using up everyone's rate), then the server's.
      allowRequest: this.#admission.allowRequest(connectionLimit.allowRequest),
      // A connection back within two minutes gets what was broadcast meanwhile and its rooms back, in this
      // process (chat clients that come back later, or to another process, catch up from the chat log).
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
    });
    connectionLimit.watch(this.#io.engine);
    // After Socket.io has wrapped the request listeners, so that its polling requests are bounded too.
    enforceRequestDeadline(this.#httpServer, this.config.http.requestTimeoutMs, isUploadRequest);
    this.#signalling = new MediaSignalling(
      this.#io.of(MEDIA_NAMESPACE) as MediaNamespace,
      this.events,
      this.rooms,
      this.fileBroadcasts,
      this.whip,
      this.audience,
      this.#admission,
      this.organizerAbsence,
      this.#logger.child({ module: 'signalling' }),
    );
    this.#statsFeed = new EventStatsFeed(
      this.audience,
      this.#stats,
      (slug, stats) => this.#signalling.notifyOrganizers(slug, 'eventStats', stats),
      this.#logger.child({ module: 'event-stats' }),
    );
    if (clusterKey && !originUrl) {
      new EdgeFeedSignalling(
        this.#io.of(EDGE_NAMESPACE),
        clusterKey,
        this.events,
        this.rooms,
        { listenIp: pipeListenIp, announcedAddress: pipeAnnouncedAddress },
        this.#logger.child({ module: 'edge-feed' }),
      );
    }
    this.hls.on('recordingState', (slug, state, message) =>
      this.#signalling.notify(slug, 'recordingStateChanged', { state, message }),
    );
    this.stills.on('pictureChanged', (slug) => this.hls.packager(slug)?.stillChanged());
    this.fileBroadcasts.on('changed', (slug, fileBroadcast) =>
      this.#signalling.notifyOrganizers(slug, 'fileBroadcastChanged', { fileBroadcast }),
    );
    this.rtmp?.on('changed', (slug, rtmpIngest) => this.#signalling.notifyOrganizers(slug, 'rtmpIngestChanged', { rtmpIngest }));
    this.#chatNamespace = new ChatNamespace(
      this.#io.of(CHAT_NAMESPACE) as ChatNamespaceServer,
      this.chat,
      this.config.chat,
      this.#admission,
      this.#logger.child({ module: 'chat' }),
    );
  }

  static async start(config: Config, logger: Logger): Promise<JalsaServer> {
    // A server that died left its ffmpeg running: stop them before recovering what they were writing.
    await reapOrphanedFfmpeg(config.dataDir, logger.child({ module: 'ffmpeg' }));
    await removeStaleUploads(uploadsDir(config), config.uploads.idleTimeoutMs, logger.child({ module: 'uploads' }));
    const db = openDatabase(config.dataDir);
    const instanceKey = InstanceKey.open(config.dataDir, config.organizerKey, { watch: true });
    const { originUrl } = config.cluster;
    const origin = originUrl ? new OriginEventSource(originUrl, logger.child({ module: 'edge' })) : undefined;
    const events = new EventService(new EventStore(db), instanceKey, origin);
    const workers = await WorkerPool.create(
      { size: config.sfu.workers, rtcMinPort: config.sfu.minPort, rtcMaxPort: config.sfu.maxPort },
      logger.child({ module: 'workers' }),
    );
    const seats = new WebRtcSeats(config.sfu.seatsPerWorker);
    const rooms = new MediaRoomRegistry(workers, seats, config.sfu, logger.child({ module: 'rooms' }));
    const isEdge = config.cluster.originUrl !== undefined;
    const stills = new EventStills(path.join(config.dataDir, 'stills'), events, logger.child({ module: 'stills' }));
    const hls = new HlsService(recordingsDirIn(config.dataDir), events, rooms, logger.child({ module: 'hls' }), {
      packaging: !isEdge,
      still: (slug) => stills.picture(slug),
    });
    await hls.recover();
    const chat = await ChatService.open(db, events, config, logger.child({ module: 'chat' }));
    const server = new JalsaServer({ config, db, events, workers, rooms, hls, stills, chat, instanceKey, logger });
    await server.#listen();
    try {
      await server.rtmp?.listen();
    } catch (error) {
      // The RTMP port is taken: a server the organizer was told takes OBS must not start without it.
      await server.close();
      throw error;
    }
    return server;
  }

  /** The instance organizer key in effect (undefined while its file is missing). */
  get instanceKey(): string | undefined {
    return this.#instanceKey.value;
  }

  /** Whether this start made the instance key: only then is it printed (`npm run key:show` shows it later). */
  get instanceKeyOrigin(): InstanceKey['origin'] {
    return this.#instanceKey.origin;
  }

  get port(): number {
    return (this.#httpServer.address() as AddressInfo).port;
  }

  get url(): string {
    return this.config.http.publicUrl ?? `http://${displayHost(this.config.http.host)}:${this.port}`;
  }

  async close(): Promise<void> {
    this.#statsFeed.close();
    this.#metrics.close();
    this.#chatRate.close();
    this.#signalling.close();
    this.organizerAbsence.close();
    this.#edgeFeeds?.close();
    this.#admission.close();
    // Recordings first, while the file broadcasts still send: a packager's ffmpeg asked to stop finishes at
    // its next packet, and with its input already silent it would wait out its grace and be killed instead
    // (a 5 s stop, its last segment lost).
    await this.hls.close();
    await this.fileBroadcasts.close();
    await this.rtmp?.close();
    this.whip.close();
    await this.rooms.closeAll();
    this.workers.close();
    // Chat goes on reaching attendees while the media stops, and its last frame goes out before the
    // connections close: a message accepted during the stop is not left for each attendee's catch-up.
    this.#chatNamespace.close();
    await new Promise<void>((resolve) => this.#io.close(() => resolve()));
    await this.chat.close();
    this.events.close();
    this.#instanceKey.close();
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

function uploadsDir(config: Config): string {
  return path.join(config.dataDir, 'uploads');
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}
