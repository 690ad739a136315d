/**
 * A load process of bench/abuse.ts, started by it (never by hand) and driven over IPC. As `legit` it
 * is the event's real audience, each attendee from its own loopback address (127.1.x.y: Linux routes
 * all of 127/8 to lo, so the server's per-address limits see separate addresses): HLS followers that
 * play the live playlist as a player would and count the seconds they had nothing to play, WebRTC
 * attendees that set up receiving (join, receive transport, consume) again and again, and chatters
 * whose messages are timed to every other attendee. As `hostile` it is the flood: Socket.io
 * connections from 127.0.0.1 (or, through the trusted local proxy, "from" an address each) that
 * join, make transports, consume, send malformed and oversize frames and flood the chat, plus raw
 * Engine.IO garbage; it counts every refusal by kind.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { Manager, type ManagerOptions, type Socket } from 'socket.io-client';
import { CHAT_NAMESPACE, decodeChatBatch, type ChatBatchWire } from '../shared/chat';
import type { Ack } from '../shared/errors';
import { recordingFiles, recordingUrl } from '../shared/recordingLayout';
import { MEDIA_NAMESPACE } from '../shared/signalling';
import { parseMediaPlaylist } from '../server/hls/PlaylistComposer';
import { jittered } from '../client/src/lib/jittered';
import { LatencyHistogram } from './LatencyHistogram';

export interface LegitOptions {
  url: string;
  slug: string;
  attendees: number;
  /** The first this many attendees watch over WebRTC, the rest over HLS; every one chats. */
  webrtc: number;
  chatEverySeconds: number;
  webrtcEverySeconds: number;
  /** A receive transport not connected this long is closed by the server: seats held are those younger. */
  connectTimeoutMs: number;
}

export interface HostileOptions {
  url: string;
  slug: string;
  sockets: number;
  /** Each connection claims its own address in X-Forwarded-For, as many clients behind the local proxy would. */
  spoof: boolean;
  /** Requests per second each admitted connection sends. */
  ratePerSocket: number;
  /** Raw Engine.IO garbage sessions per second. */
  garbagePerSecond: number;
  /** A receive transport not connected this long is closed by the server: seats held are those younger. */
  connectTimeoutMs: number;
}

export type LoadCommand =
  | { type: 'legit'; options: LegitOptions }
  | { type: 'hostile'; options: HostileOptions }
  | { type: 'measure'; on: boolean }
  | { type: 'seats' }
  | { type: 'report' }
  | { type: 'stop' };

export interface LegitReport {
  hls: {
    followers: number;
    playing: number;
    stallSecondsTotal: number;
    stallSecondsMaxPerClient: number;
    clientsThatStalled: number;
    segmentsFetched: number;
    fetchErrors: number;
  };
  chat: {
    chatters: number;
    sent: number;
    refused: Record<string, number>;
    lostDeliveries: number;
    expectedDeliveries: number;
    p50Ms: number | null;
    p99Ms: number | null;
  };
  /** Setups by outcome (one per arrival, after its retries), and joins tried again after a `serverBusy`. */
  webrtc: { attendees: number; setups: Record<string, number>; joinRetries: number; setupP99Ms: number | null };
}

export interface HostileReport {
  connectionsAdmitted: number;
  /** In the measured window, as are the refusals and acceptances. */
  connectionsOpenAtEnd: number;
  requestsSent: number;
  refused: Record<string, number>;
  accepted: Record<string, number>;
}

export type LoadReply =
  | { type: 'ready' }
  | { type: 'seats'; held: number }
  | { type: 'report'; legit?: LegitReport; hostile?: HostileReport };

const ACK_TIMEOUT_MS = 10_000;
const HTTP_TIMEOUT_MS = 10_000;
/** A player starts with this much media buffered from the live edge (hls.js starts 3 segments back). */
const START_SEGMENTS = 2;
const PLAYER_TICK_MS = 100;
const PLAYLIST_POLL_MS = 1_000;
/** Socket.io frames past this drop the connection (the server's maxHttpBufferSize is 64 KB). */
const OVERSIZE_BYTES = 70 * 1024;
const RECONNECT_MS = 1_000;
/** The watch page's wait before joining again after a refusal (client/src/player/WatchSession.ts), jittered. */
const WATCH_RETRY_MS = 5_000;
/** The chat client's (client/src/chat/ChatClient.ts). */
const CHAT_RETRY_MS = 3_000;
/** The audience is in by then, or the run is void. */
const ARRIVAL_MS = 60_000;

let measuring = false;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};
const clientKey = () => crypto.randomBytes(16).toString('base64url');

/** The address attendee `i` comes from: 127.1.0.1, 127.1.0.2, … */
export function legitAddress(i: number): string {
  return `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** What the server answered, as a refusal kind ('ok' for success). */
function outcome(ack: Ack<unknown>): string {
  if (ack.ok) return 'ok';
  return ack.error.reason ?? ack.error.code;
}

function connectManager(url: string, options: Partial<ManagerOptions> & { localAddress?: string }): Manager {
  return new Manager(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options } as Partial<ManagerOptions>);
}

/** Connected within `ms`, whatever the tries Socket.io's reconnection makes meanwhile. */
function connectedBefore(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not connected in time')), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

function request<T>(socket: Socket, name: string, payload: unknown): Promise<Ack<T>> {
  return socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, payload) as Promise<Ack<T>>;
}

/** One HTTP GET from a given local address; the body as a buffer. */
function get(url: string, agent: http.Agent, localAddress: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, localAddress, timeout: HTTP_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * The seats a load's clients hold, as far as it can tell: a receive transport made when there was
 * something to receive holds one until the server closes it for not connecting (none of ours ever does).
 */
class HeldSeats {
  readonly #connectTimeoutMs: number;
  readonly #seatedAt = new Map<number, number>();

  constructor(connectTimeoutMs: number) {
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  seated(client: number): void {
    this.#seatedAt.set(client, Date.now());
  }

  left(client: number): void {
    this.#seatedAt.delete(client);
  }

  get count(): number {
    const now = Date.now();
    return [...this.#seatedAt.values()].filter((at) => now - at < this.#connectTimeoutMs).length;
  }
}

/**
 * Plays a rung's live playlist as a player would: it starts {@link START_SEGMENTS} from the live edge,
 * then fetches each new segment in turn; the playhead moves with the clock while there is media and
 * a stall is every second the playhead waits for media that has not arrived.
 */
class HlsFollower {
  readonly #base: string;
  readonly #slug: string;
  readonly #rung: string;
  readonly #address: string;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly #seen = new Set<string>();
  readonly #queue: { uri: string; duration: number }[] = [];
  #buffered = 0;
  #playhead = 0;
  #playing = false;
  #closed = false;
  #fetching = false;
  stallSeconds = 0;
  segments = 0;
  errors = 0;

  constructor(base: string, slug: string, rung: string, address: string) {
    this.#base = base;
    this.#slug = slug;
    this.#rung = rung;
    this.#address = address;
  }

  get playing(): boolean {
    return this.#playing;
  }

  start(): void {
    void this.#poll();
    const timer = setInterval(() => {
      if (this.#closed) {
        clearInterval(timer);
        return;
      }
      const due = PLAYER_TICK_MS / 1000;
      // An attendee still waiting for the first picture in the measured window is stalled too.
      if (!this.#playing) {
        if (measuring) this.stallSeconds += due;
        return;
      }
      const played = Math.min(due, this.#buffered - this.#playhead);
      this.#playhead += played;
      if (measuring) this.stallSeconds += due - played;
    }, PLAYER_TICK_MS);
  }

  close(): void {
    this.#closed = true;
    this.#agent.destroy();
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      try {
        const url = `${this.#base}${recordingUrl(this.#slug, recordingFiles.rungPlaylist(this.#rung))}`;
        const { init, segments } = parseMediaPlaylist((await get(url, this.#agent, this.#address)).toString('utf8'));
        const fresh = segments.filter((segment) => !this.#seen.has(segment.uri));
        // The first look starts near the live edge, as players do; later ones take every new segment.
        const wanted = this.#seen.size === 0 ? fresh.slice(-START_SEGMENTS) : fresh;
        for (const segment of segments) this.#seen.add(segment.uri);
        if (this.#queue.length === 0 && this.#buffered === 0 && init) this.#queue.push({ uri: init, duration: 0 });
        this.#queue.push(...wanted.map(({ uri, duration }) => ({ uri, duration })));
        void this.#fetchQueued();
      } catch {
        this.errors++;
      }
      await sleep(PLAYLIST_POLL_MS);
    }
  }

  async #fetchQueued(): Promise<void> {
    if (this.#fetching) return;
    this.#fetching = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const next = this.#queue[0]!;
        try {
          await get(`${this.#base}${recordingUrl(this.#slug, next.uri)}`, this.#agent, this.#address);
        } catch {
          this.errors++;
          await sleep(200);
          continue;
        }
        this.#queue.shift();
        this.#buffered += next.duration;
        if (next.duration > 0) this.segments++;
        if (!this.#playing && this.segments >= START_SEGMENTS) this.#playing = true;
      }
    } finally {
      this.#fetching = false;
    }
  }
}

/** The event's real audience. */
class LegitLoad {
  readonly #options: LegitOptions;
  readonly #followers: HlsFollower[] = [];
  readonly #managers = new Set<Manager>();
  readonly #chatters: Socket[] = [];
  readonly #latency = new LatencyHistogram();
  readonly #setupLatency = new LatencyHistogram();
  readonly #chatRefused: Record<string, number> = {};
  readonly #setups: Record<string, number> = {};
  readonly seats: HeldSeats;
  #sent = 0;
  #joinRetries = 0;
  /**
   * Measured messages the server took: acknowledged, or seen in a frame (an acknowledgement can time out
   * after the server stored the message), by `sender:seq`.
   */
  readonly #stored = new Set<string>();
  #receivedMeasured = 0;
  #closed = false;

  constructor(options: LegitOptions) {
    this.#options = options;
    this.seats = new HeldSeats(options.connectTimeoutMs);
  }

  async start(): Promise<void> {
    const { attendees, webrtc } = this.#options;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < attendees; i++) {
      const address = legitAddress(i);
      // Socket.io's own reconnection: a handshake the busy server refused is tried again after its jittered backoff.
      const manager = connectManager(this.#options.url, { localAddress: address, reconnection: true });
      this.#managers.add(manager);
      ready.push(this.#chat(manager, i));
      if (i < webrtc) this.#webrtc(i);
      else {
        const follower = new HlsFollower(this.#options.url, this.#options.slug, i % 2 === 0 ? 'audio' : '180p', address);
        this.#followers.push(follower);
        follower.start();
      }
    }
    await Promise.all(ready);
  }

  report(): LegitReport {
    const stalls = this.#followers.map((f) => f.stallSeconds);
    const expected = this.#stored.size * this.#chatters.length;
    return {
      hls: {
        followers: this.#followers.length,
        playing: this.#followers.filter((f) => f.playing).length,
        stallSecondsTotal: round(stalls.reduce((a, b) => a + b, 0)),
        stallSecondsMaxPerClient: round(Math.max(0, ...stalls)),
        clientsThatStalled: stalls.filter((s) => s > 0).length,
        segmentsFetched: this.#followers.reduce((sum, f) => sum + f.segments, 0),
        fetchErrors: this.#followers.reduce((sum, f) => sum + f.errors, 0),
      },
      chat: {
        chatters: this.#chatters.length,
        sent: this.#sent,
        refused: this.#chatRefused,
        lostDeliveries: expected - this.#receivedMeasured,
        expectedDeliveries: expected,
        p50Ms: this.#latency.quantile(0.5),
        p99Ms: this.#latency.quantile(0.99),
      },
      webrtc: {
        attendees: this.#options.webrtc,
        setups: this.#setups,
        joinRetries: this.#joinRetries,
        setupP99Ms: this.#setupLatency.quantile(0.99),
      },
    };
  }

  close(): void {
    this.#closed = true;
    for (const follower of this.#followers) follower.close();
    for (const manager of this.#managers) manager.engine?.close();
  }

  /** Joins the event's chat, times every measured message it receives, and posts one now and then. */
  async #chat(manager: Manager, i: number): Promise<void> {
    const socket = manager.socket(CHAT_NAMESPACE);
    await connectedBefore(socket, ARRIVAL_MS);
    const key = clientKey();
    let joined = await request(socket, 'join', { slug: this.#options.slug, clientKey: key });
    // 200 arriving in the same second can be more than the server admits at once: they retry as the chat client does.
    for (const giveUpAt = Date.now() + ARRIVAL_MS; !joined.ok && joined.error.reason === 'serverBusy' && Date.now() < giveUpAt; ) {
      await sleep(jittered(CHAT_RETRY_MS));
      joined = await request(socket, 'join', { slug: this.#options.slug, clientKey: key });
    }
    if (!joined.ok) throw new Error(`a legitimate attendee could not join the chat: ${JSON.stringify(joined)}`);
    this.#chatters.push(socket);
    socket.on('batch', (payload: ChatBatchWire) => {
      const now = Date.now();
      // Unchecked: the bench trusts its own server, and checking every frame would take the cores it measures.
      for (const entry of decodeChatBatch(payload).entries) {
        if (entry.kind !== 'message') continue;
        const [tag, sender, seq, sentAt, measured] = entry.text.split(':');
        if (tag !== 'L' || measured !== '1') continue;
        this.#stored.add(`${sender}:${seq}`);
        this.#receivedMeasured++;
        this.#latency.record(now - Number(sentAt));
      }
    });
    const everyMs = this.#options.chatEverySeconds * 1000;
    void (async () => {
      await sleep(Math.random() * everyMs);
      for (let seq = 0; !this.#closed; seq++) {
        const isMeasured = measuring;
        this.#sent++;
        const text = `L:${i}:${seq}:${Date.now()}:${isMeasured ? 1 : 0}`;
        void request(socket, 'send', { clientId: `m-${i}-${seq}`.padEnd(8, '0'), name: `Attendee ${i}`, text }).then(
          (ack) => {
            if (ack.ok) {
              if (isMeasured) this.#stored.add(`${i}:${seq}`);
            } else count(this.#chatRefused, outcome(ack));
          },
          () => count(this.#chatRefused, 'unanswered'),
        );
        await sleep(everyMs);
      }
    })();
  }

  /**
   * Attendee `i` arrives over WebRTC again every few seconds, as new attendees keep arriving: a new
   * connection from its address that sets up receiving as the watch page does (join, receive transport,
   * a consumer per producer), timed from its first try. Turned away by a busy server it retries as the
   * watch page does: the handshake after Socket.io's own jittered backoff, the join after the page's
   * jittered wait, until its next arrival is due. Without an ICE stack the transport never connects, so
   * the server closes it after its connect timeout and the seat returns.
   */
  #webrtc(i: number): void {
    const everyMs = this.#options.webrtcEverySeconds * 1000;
    void (async () => {
      await sleep(Math.random() * everyMs);
      while (!this.#closed) {
        const startedAt = performance.now();
        const giveUpAt = startedAt + everyMs;
        const manager = connectManager(this.#options.url, { localAddress: legitAddress(i), reconnection: true });
        this.#managers.add(manager);
        const socket = manager.socket(MEDIA_NAMESPACE);
        let result = await connectedBefore(socket, everyMs).then(() => this.#setUpReceiving(socket, i), () => 'connectFailed');
        while (result === 'serverBusy' && performance.now() + WATCH_RETRY_MS < giveUpAt) {
          if (measuring) this.#joinRetries++;
          await sleep(jittered(WATCH_RETRY_MS));
          result = await this.#setUpReceiving(socket, i);
        }
        if (measuring) {
          count(this.#setups, result);
          if (result === 'ok') this.#setupLatency.record(performance.now() - startedAt);
        }
        await sleep(Math.max(0, giveUpAt - performance.now()));
        this.#managers.delete(manager);
        manager.engine?.close();
      }
    })();
  }

  async #setUpReceiving(socket: Socket, i: number): Promise<string> {
    try {
      const joined = await request<{ routerRtpCapabilities: unknown; producers: { producerId: string }[] }>(socket, 'join', {
        slug: this.#options.slug,
      });
      if (!joined.ok) return outcome(joined);
      const transport = await request(socket, 'createTransport', { direction: 'recv' });
      if (!transport.ok) return outcome(transport);
      // Made while the event has producers, the transport holds a seat from now on.
      this.seats.seated(i);
      for (const { producerId } of joined.data.producers) {
        const consumed = await request(socket, 'consume', { producerId, rtpCapabilities: joined.data.routerRtpCapabilities });
        if (!consumed.ok) return outcome(consumed);
      }
      return 'ok';
    } catch {
      return 'unanswered';
    }
  }
}

/** The flood: many connections from one address (or claiming many), each abusing every request it can. */
class HostileLoad {
  readonly #options: HostileOptions;
  readonly #refused: Record<string, number> = {};
  readonly #accepted: Record<string, number> = {};
  readonly #open = new Set<Manager>();
  readonly seats: HeldSeats;
  #admitted = 0;
  #requests = 0;
  #closed = false;

  constructor(options: HostileOptions) {
    this.#options = options;
    this.seats = new HeldSeats(options.connectTimeoutMs);
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.#options.sockets; i++) void this.#run(i);
    void this.#garbage();
  }

  report(): HostileReport {
    return {
      connectionsAdmitted: this.#admitted,
      connectionsOpenAtEnd: this.#open.size,
      requestsSent: this.#requests,
      refused: this.#refused,
      accepted: this.#accepted,
    };
  }

  close(): void {
    this.#closed = true;
    for (const manager of this.#open) manager.engine?.close();
  }

  #refuse(kind: string): void {
    if (measuring) count(this.#refused, kind);
  }

  #headers(i: number): Record<string, string> {
    return this.#options.spoof ? { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } : {};
  }

  /** One hostile client: connects (again and again when refused or dropped) and floods while connected. */
  async #run(i: number): Promise<void> {
    // Spread over a second or so, as a botnet's connections would arrive; refused ones retry.
    await sleep(Math.random() * 1_000);
    while (!this.#closed) {
      const manager = connectManager(this.#options.url, { extraHeaders: this.#headers(i) });
      const media = manager.socket(MEDIA_NAMESPACE);
      const chat = manager.socket(CHAT_NAMESPACE);
      try {
        await Promise.all([connected(media), connected(chat)]);
      } catch {
        this.#refuse('handshakeRefused');
        manager.engine?.close();
        await sleep(RECONNECT_MS + Math.random() * RECONNECT_MS);
        continue;
      }
      this.#admitted++;
      this.#open.add(manager);
      const gone = new Promise<string>((resolve) => media.once('disconnect', resolve));
      await Promise.race([this.#flood(i, media, chat), gone]);
      this.#open.delete(manager);
      this.seats.left(i);
      manager.engine?.close();
      await sleep(RECONNECT_MS);
    }
  }

  async #flood(i: number, media: Socket, chat: Socket): Promise<void> {
    const { slug, ratePerSocket } = this.#options;
    let producers: string[] = [];
    let capabilities: unknown = {};
    let seq = 0;
    const send = (socket: Socket, name: string, payload: unknown, onOk?: (data: unknown) => void) => {
      if (measuring) this.#requests++;
      request(socket, name, payload).then(
        (ack) => {
          if (ack.ok) {
            if (measuring) count(this.#accepted, name);
            onOk?.(ack.data);
          } else this.#refuse(outcome(ack));
        },
        () => this.#refuse('unanswered'),
      );
    };
    send(chat, 'join', { slug, clientKey: clientKey() });
    const onJoined = (data: unknown) => {
      const joined = data as { producers: { producerId: string }[]; routerRtpCapabilities: unknown };
      producers = joined.producers.map((p) => p.producerId);
      capabilities = joined.routerRtpCapabilities;
    };
    send(media, 'join', { slug }, onJoined);
    const actions: (() => void)[] = [
      // Seats: transports in bursts, renewed before the connect timeout takes them back.
      () => {
        for (let k = 0; k < 3; k++) {
          send(media, 'createTransport', { direction: 'recv' }, () => this.seats.seated(i));
        }
      },
      () => producers.forEach((producerId) => send(media, 'consume', { producerId, rtpCapabilities: capabilities })),
      () => send(media, 'createTransport', { direction: 'send' }),
      // The chat flood.
      () => send(chat, 'send', { clientId: `h${i}-${seq++}`.padEnd(8, '0'), name: 'flood', text: `spam ${seq} ${'!'.repeat(200)}` }),
      () => send(chat, 'send', { clientId: `h${i}-${seq++}`.padEnd(8, '0'), name: 'flood', text: 'buy now' }),
      // Joining again and again: the server-wide join rate is what an attacker with many addresses uses up.
      () => send(media, 'join', { slug }, onJoined),
      // Wrong schemas, wrong keys, wrong states.
      () => send(media, 'join', { slug: 42 }),
      () => send(media, 'join', { slug, key: 'k'.repeat(43) }),
      () => send(media, 'consume', { producerId: 'x'.repeat(5_000), rtpCapabilities: { codecs: 'none' } }),
      () => send(chat, 'send', { clientId: '!', name: '', text: 'x'.repeat(10_000) }),
      () => send(chat, 'ban', { authorId: 'a'.repeat(16), banned: true }),
      () => send(media, 'goLive', {}),
      // Frames nobody answers: unknown events, and requests without a callback.
      () => {
        if (measuring) this.#requests++;
        media.emit('noSuchRequest', { junk: true });
        chat.emit('send', { text: 'no ack' });
      },
    ];
    const intervalMs = 1000 / ratePerSocket;
    for (let tick = 0; !this.#closed && media.connected; tick++) {
      // Now and then a frame over the size limit: the server drops the whole connection for it.
      if (Math.random() < 0.002) {
        if (measuring) this.#requests++;
        this.#refuse('oversizeFrame');
        media.emit('join', { slug: 'x'.repeat(OVERSIZE_BYTES) });
      } else actions[tick % actions.length]!();
      await sleep(intervalMs);
    }
  }

  /** Engine.IO sessions opened over polling, then sent bytes that are no Engine.IO packet at all. */
  async #garbage(): Promise<void> {
    const { garbagePerSecond } = this.#options;
    if (garbagePerSecond <= 0) return;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    for (let i = 0; !this.#closed; i++) {
      void this.#garbageSession(agent, i);
      await sleep(1000 / garbagePerSecond);
    }
    agent.destroy();
  }

  async #garbageSession(agent: http.Agent, i: number): Promise<void> {
    const base = `${this.#options.url}/socket.io/?EIO=4&transport=polling`;
    const headers = this.#headers(this.#options.sockets + i);
    const call = (url: string, method: string, body?: string) =>
      new Promise<number>((resolve) => {
        const req = http.request(url, { method, agent, headers, timeout: HTTP_TIMEOUT_MS }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.on('timeout', () => req.destroy());
        req.end(body);
      });
    const handshake = await new Promise<string | undefined>((resolve) => {
      http
        .get(base, { agent, headers, timeout: HTTP_TIMEOUT_MS }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(res.statusCode === 200 ? /"sid":"([^"]+)"/.exec(text)?.[1] : undefined));
        })
        .on('error', () => resolve(undefined));
    });
    if (!handshake) {
      this.#refuse('handshakeRefused');
      return;
    }
    await call(`${base}&sid=${handshake}`, 'POST', '\u0000\u00ff{{{garbage}}}42/media,[');
    // Engine.IO takes the bytes, fails to decode them and closes the session: asking for it again says so
    // at once (400), where a live session would hold the poll open.
    const after = await call(`${base}&sid=${handshake}`, 'GET');
    this.#refuse(after === 400 ? 'engineGarbage' : 'engineGarbageSurvived');
  }
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

let legit: LegitLoad | undefined;
let hostile: HostileLoad | undefined;

function reply(message: LoadReply): void {
  process.send!(message);
}

function fail(error: unknown): never {
  console.error(error);
  process.exit(1);
}

process.on('message', (command: LoadCommand) => {
  switch (command.type) {
    case 'legit':
      legit = new LegitLoad(command.options);
      legit.start().then(() => reply({ type: 'ready' }), fail);
      break;
    case 'hostile':
      hostile = new HostileLoad(command.options);
      hostile.start().then(() => reply({ type: 'ready' }), fail);
      break;
    case 'measure':
      measuring = command.on;
      break;
    case 'seats':
      reply({ type: 'seats', held: (legit ?? hostile)?.seats.count ?? 0 });
      break;
    case 'report':
      reply({ type: 'report', legit: legit?.report(), hostile: hostile?.report() });
      break;
    case 'stop':
      legit?.close();
      hostile?.close();
      process.exit(0);
  }
});
