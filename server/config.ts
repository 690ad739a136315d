import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { OrganizerKey } from '../shared/events';

/** Booleans from the environment: "1", "true", "yes" are true; anything else false. */
const EnvBoolean = z
  .string()
  .optional()
  .transform((v) => v !== undefined && /^(1|true|yes)$/i.test(v));

const Port = z.coerce.number().int().min(0).max(65_535);

const EnvSchema = z
  .object({
    PORT: Port.default(3000),
    HOST: z.string().default('0.0.0.0'),
    PUBLIC_URL: z.url().optional(),
    DATA_DIR: z.string().default('data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // The same form as generated keys: one the studio and bearer headers could not carry would lock the organizer out.
    ORGANIZER_KEY: OrganizerKey.optional(),
    MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).default(os.cpus().length),
    RTC_LISTEN_IP: z.string().default('0.0.0.0'),
    RTC_ANNOUNCED_ADDRESS: z.string().optional(),
    RTC_MIN_PORT: Port.default(40_000),
    RTC_MAX_PORT: Port.default(49_999),
    RTC_ENABLE_TCP: EnvBoolean.default(true),
    RTC_INITIAL_OUTGOING_BITRATE: z.coerce.number().int().min(100_000).default(1_000_000),
    // From `bench:sfu` (BENCHMARKS.md): a worker at 0.85 of a core feeds 305–338 receivers of the 180p
    // layer (audio + video); audio-only ones (120 ms Opus packets) cost far less, 1,142 at 0.65 of a
    // core. Any seat may be turned to video, so the default is the 180p figure rounded down; a
    // sound-only event may raise it to 1,100. Past 0.85 a worker falls behind for everyone (its
    // channel answers late, then packets drop), so the limit is set below it.
    WEBRTC_SEATS_PER_WORKER: z.coerce.number().int().min(0).default(300),
    WEBRTC_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    SOCKET_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(200),
    SOCKET_HANDSHAKES_PER_SECOND: z.coerce.number().positive().max(100_000).default(100),
    JOINS_PER_SECOND: z.coerce.number().positive().max(100_000).default(100),
    SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
    SERVE_CLIENT: EnvBoolean.default(true),
    EDGE_ORIGIN_URL: z.url({ protocol: /^https?$/ }).optional(),
    ALLOW_INSECURE_ORIGIN: EnvBoolean,
    EDGE_HLS_CACHE_MB: z.coerce.number().positive().max(65_536).default(256),
    CLUSTER_KEY: z.string().min(20).optional(),
    PIPE_LISTEN_IP: z.string().optional(),
    PIPE_ANNOUNCED_ADDRESS: z.string().optional(),
    METRICS_TOKEN: z.string().min(16).optional(),
    UPLOAD_MAX_MB: z.coerce.number().positive().default(1024),
    UPLOAD_MAX_MINUTES: z.coerce.number().positive().default(240),
    UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    UPLOAD_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(300_000),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('jalsa:'),
    CHAT_BATCH_MS: z.coerce.number().int().min(0).max(5000).default(250),
    CHAT_BATCH_GROUPS: z.coerce.number().int().min(1).max(50).default(4),
    CHAT_ADDRESS_MESSAGES_PER_SECOND: z.coerce.number().positive().max(100_000).default(10),
    CHAT_ADDRESS_BAN_MINUTES: z.coerce.number().min(0).max(7 * 24 * 60).default(60),
    CHAT_NEW_CHATTER_WAIT_SECONDS: z.coerce.number().min(0).max(3600).default(10),
    CHAT_SLOW_MODE_MESSAGES_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(3),
    CHAT_ROOM_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(50),
    HTTP_ADDRESS_REQUESTS_PER_SECOND: z.coerce.number().positive().max(100_000).default(50),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
    ORGANIZER_RETURN_GRACE_SECONDS: z.coerce.number().min(0).max(24 * 3600).default(600),
    RTMP_ENABLED: EnvBoolean,
    RTMP_PORT: Port.default(1935),
    RTMP_HOST: z.string().optional(),
    // Host and optional port only: it is put into `rtmp://…/live` for OBS, never used to connect.
    RTMP_PUBLIC_ADDRESS: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/, 'RTMP_PUBLIC_ADDRESS is a host with an optional :port')
      .optional(),
    RTMP_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    RTMP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  })
  .refine((env) => env.RTC_MIN_PORT <= env.RTC_MAX_PORT, {
    message: 'RTC_MIN_PORT must not exceed RTC_MAX_PORT',
  })
  .refine((env) => !env.EDGE_ORIGIN_URL || env.CLUSTER_KEY, {
    message: 'an edge (EDGE_ORIGIN_URL) needs the origin’s CLUSTER_KEY',
  })
  .superRefine((env, context) => {
    const refusal = env.EDGE_ORIGIN_URL && insecureOriginRefusal(env.EDGE_ORIGIN_URL, env.ALLOW_INSECURE_ORIGIN);
    if (refusal) context.addIssue({ code: 'custom', message: refusal, path: ['EDGE_ORIGIN_URL'] });
  });

/**
 * Why an edge must not send the cluster key to `originUrl`, or undefined when it may: the key opens the
 * origin's `/edge` namespace, so over plain http anyone on the path could read it and pipe any event's
 * media out. Loopback never leaves the machine (and is what tests and `npm run demo:cluster` use), so
 * it is allowed; anything else needs https unless the operator says the network is private.
 */
export function insecureOriginRefusal(originUrl: string, allowInsecure: boolean): string | undefined {
  const url = new URL(originUrl);
  if (url.protocol === 'https:' || allowInsecure || isLoopback(url.hostname)) return undefined;
  return (
    'the edge would send CLUSTER_KEY to its origin over plain http: use an https:// origin, ' +
    'or set ALLOW_INSECURE_ORIGIN=true if the network between them is private'
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

export interface Config {
  http: {
    port: number;
    host: string;
    publicUrl: string | undefined;
    serveClient: boolean;
    /** Longest time to receive a whole request (uploads excepted: they have an idle rule instead). */
    requestTimeoutMs: number;
  };
  dataDir: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Fixed instance organizer key; when absent one is generated once and kept in the data dir. */
  organizerKey: string | undefined;
  sfu: {
    workers: number;
    listenIp: string;
    /** What remote clients can reach; defaults to the machine's first external IPv4 address. */
    announcedAddress: string | undefined;
    minPort: number;
    maxPort: number;
    enableTcp: boolean;
    initialOutgoingBitrate: number;
    /** Attendees receiving over WebRTC per worker; the rest get HLS. */
    seatsPerWorker: number;
    /** A receive transport not ICE-connected this long after it was made is closed and its seat freed. */
    connectTimeoutMs: number;
  };
  /**
   * Socket.io connections open at once from one client address (as the trusted local proxy reports
   * it): many phones share an address behind carrier NAT, one machine must not take every seat.
   */
  connectionsPerAddress: number;
  /**
   * Server-wide admission of newcomers, whatever address they come from: a flood from many addresses
   * (which no per-address limit sees) must not starve whoever is already in.
   */
  admission: {
    /** New Socket.io connections per second (two seconds' worth at once). */
    handshakesPerSecond: number;
    /** Attendee joins of the media and chat namespaces per second (two seconds' worth at once). */
    joinsPerSecond: number;
    /** New connections and attendee joins are refused while the event loop lags longer than this; 0 never. */
    shedLoopDelayMs: number;
  };
  clientDir: string;
  /**
   * Several SFU hosts: with `clusterKey` set this server feeds edges; with `originUrl` set too it is
   * an edge itself, relaying the origin's events to its own attendees.
   */
  cluster: {
    originUrl: string | undefined;
    clusterKey: string | undefined;
    pipeListenIp: string;
    pipeAnnouncedAddress: string | undefined;
    /** On an edge: bytes of the origin's HLS files kept in memory at most. */
    hlsCacheBytes: number;
  };
  /** Bearer token for `/metrics`; undefined leaves it open (put it behind the proxy then). */
  metricsToken: string | undefined;
  /** Prepared recordings an organizer can go live from. */
  uploads: {
    maxBytes: number;
    maxSeconds: number;
    /** An upload that sends nothing this long is cut off; a slow one that keeps sending never is. */
    idleTimeoutMs: number;
    /** Uploads received at once, over all events (one per event at a time in any case). */
    concurrency: number;
  };
  /** Shared state for several server processes; undefined runs everything embedded. */
  redis: { url: string; keyPrefix: string } | undefined;
  chat: {
    /** Chat is sent to each event's attendees as one frame per interval; 0 sends every entry on its own. */
    batchMs: number;
    /**
     * A room's connections are sent their frame in this many groups, one after the other over the
     * interval, so that no single write reaches the whole room (batched only).
     */
    batchGroups: number;
    /** Messages per second from one address (many attendees can share one behind carrier NAT). */
    addressMessagesPerSecond: number;
    /**
     * How long a ban or mute also holds the addresses its author chatted from (0: only the author's key).
     * Limited, because behind carrier NAT an address is shared with strangers.
     */
    addressBanMs: number;
    /** An author with no message in an event yet may post only this long after joining its chat. */
    newChatterWaitMs: number;
    /** In slow mode, messages one address may post per interval, whichever keys its attendees use. */
    slowModeMessagesPerAddress: number;
    /**
     * Attendee messages one event's chat accepts per second (a second's worth at once), whoever and
     * wherever they come from; the organizer is never held by it. Per process: with Redis, N processes
     * accept N times as many.
     */
    roomMessagesPerSecond: number;
  };
  /** Requests per second to the dynamic HTTP routes from one address (a burst of several seconds' worth). */
  httpAddressRequestsPerSecond: number;
  /**
   * How long a stop (SIGTERM, SIGINT) may take — finishing the recordings first — before the process
   * exits anyway with a failure code, so a service manager never waits on a hung shutdown.
   */
  shutdownTimeoutMs: number;
  /**
   * How long a live event whose organizer's connection was lost waits for it to come back before it is
   * ended; 0 waits for ever. Attendees are told the broadcast will resume meanwhile.
   */
  organizerReturnGraceMs: number;
  /** Going live from OBS or another encoder over RTMP (off unless asked for: it opens another port). */
  rtmp: {
    enabled: boolean;
    port: number;
    host: string;
    /**
     * `host[:port]` the studio shows in the server URL for OBS; undefined: PUBLIC_URL's host (else the
     * host the studio was opened from) and the port listened on.
     */
    publicAddress: string | undefined;
    /** From connecting to asking to publish: a connection that never sends is closed after this. */
    connectTimeoutMs: number;
    /** A publishing encoder silent this long is taken as disconnected (its link died without a word). */
    idleTimeoutMs: number;
  };
}

const projectRoot = path.resolve(import.meta.dirname, '..');

/** Reads the configuration from environment variables; throws a readable error on bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl: e.PUBLIC_URL,
      serveClient: e.SERVE_CLIENT,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    },
    dataDir: path.resolve(projectRoot, e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    organizerKey: e.ORGANIZER_KEY,
    sfu: {
      workers: e.MEDIASOUP_WORKERS,
      listenIp: e.RTC_LISTEN_IP,
      announcedAddress: e.RTC_ANNOUNCED_ADDRESS ?? defaultAnnouncedAddress(e.RTC_LISTEN_IP),
      minPort: e.RTC_MIN_PORT,
      maxPort: e.RTC_MAX_PORT,
      enableTcp: e.RTC_ENABLE_TCP,
      initialOutgoingBitrate: e.RTC_INITIAL_OUTGOING_BITRATE,
      seatsPerWorker: e.WEBRTC_SEATS_PER_WORKER,
      connectTimeoutMs: e.WEBRTC_CONNECT_TIMEOUT_MS,
    },
    connectionsPerAddress: e.SOCKET_CONNECTIONS_PER_ADDRESS,
    admission: {
      handshakesPerSecond: e.SOCKET_HANDSHAKES_PER_SECOND,
      joinsPerSecond: e.JOINS_PER_SECOND,
      shedLoopDelayMs: e.SHED_EVENT_LOOP_DELAY_MS,
    },
    clientDir: path.join(projectRoot, 'dist', 'client'),
    cluster: {
      originUrl: e.EDGE_ORIGIN_URL?.replace(/\/+$/, ''),
      clusterKey: e.CLUSTER_KEY,
      pipeListenIp: e.PIPE_LISTEN_IP ?? e.RTC_LISTEN_IP,
      pipeAnnouncedAddress: e.PIPE_ANNOUNCED_ADDRESS ?? e.RTC_ANNOUNCED_ADDRESS ?? defaultAnnouncedAddress(e.RTC_LISTEN_IP),
      hlsCacheBytes: Math.round(e.EDGE_HLS_CACHE_MB * 1024 * 1024),
    },
    metricsToken: e.METRICS_TOKEN,
    uploads: {
      maxBytes: Math.round(e.UPLOAD_MAX_MB * 1024 * 1024),
      maxSeconds: e.UPLOAD_MAX_MINUTES * 60,
      idleTimeoutMs: e.UPLOAD_IDLE_TIMEOUT_MS,
      concurrency: e.UPLOAD_CONCURRENCY,
    },
    redis: e.REDIS_URL === undefined ? undefined : { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    chat: {
      batchMs: e.CHAT_BATCH_MS,
      batchGroups: e.CHAT_BATCH_GROUPS,
      addressMessagesPerSecond: e.CHAT_ADDRESS_MESSAGES_PER_SECOND,
      addressBanMs: Math.round(e.CHAT_ADDRESS_BAN_MINUTES * 60_000),
      newChatterWaitMs: Math.round(e.CHAT_NEW_CHATTER_WAIT_SECONDS * 1000),
      slowModeMessagesPerAddress: e.CHAT_SLOW_MODE_MESSAGES_PER_ADDRESS,
      roomMessagesPerSecond: e.CHAT_ROOM_MESSAGES_PER_SECOND,
    },
    httpAddressRequestsPerSecond: e.HTTP_ADDRESS_REQUESTS_PER_SECOND,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    organizerReturnGraceMs: Math.round(e.ORGANIZER_RETURN_GRACE_SECONDS * 1000),
    rtmp: {
      enabled: e.RTMP_ENABLED,
      port: e.RTMP_PORT,
      host: e.RTMP_HOST ?? e.HOST,
      publicAddress: e.RTMP_PUBLIC_ADDRESS,
      connectTimeoutMs: e.RTMP_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.RTMP_IDLE_TIMEOUT_MS,
    },
  };
}

/** A wildcard listen address is useless in an ICE candidate; announce a concrete one instead. */
function defaultAnnouncedAddress(listenIp: string): string | undefined {
  if (listenIp !== '0.0.0.0' && listenIp !== '::') return undefined;
  for (const addresses of Object.values(os.networkInterfaces())) {
    const external = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}
