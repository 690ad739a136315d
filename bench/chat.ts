/**
 * npm run bench:chat [-- --clients 10000 --low-clients 200 --rate 20 --seconds 15 --scenarios single,singleWhole,redis,plainEmit,stockEmit --search [--search-scenario redis] --server-cpu-prof DIR]
 * Chat fan-out: N attendees connected to `/chat` while senders post M messages a second; prints and writes
 * to bench/results/chat.json the latency from send to arrival at every attendee (p50/p99), the server
 * CPU, and what never arrived; and what a silent watcher's connection reads (kbps, bytes per message) on
 * the full feed and, with `--low-clients` more attendees on it, the low-data feed; what permessage-deflate
 * would have made of the full feed's frames, and what it costs per connection; for:
 *   single     one server process, batched frames (the shipped configuration: the room's connections
 *              sent to in CHAT_BATCH_GROUPS groups in turn);
 *   singleWhole the same with the whole room sent its frame at once (CHAT_BATCH_GROUPS=1), as before
 *              the groups, for comparison;
 *   redis      two server processes sharing the chat through a Redis, attendees split between them;
 *   plainEmit  one server process sending every message on its own (CHAT_BATCH_MS=0), i.e. a plain
 *              per-message `io.to(room).emit`, for comparison;
 *   stockEmit  not Jalsa: stock Socket.IO with default options doing `io.to(room).emit('message', m)` per
 *              message (bench/stockChatServer.ts), the figure a plain chat would reach on this machine.
 * Each reports the server's CPU microseconds per delivery (its CPU time over the messages that arrived
 * in the same window). With `--search`, the room grows from `--search-from` by `--search-growth` in the
 * `--search-scenario` configuration (`single` unless said; `redis` is a 2-core node's two processes)
 * until p99 reaches 1 s or a delivery is lost: the largest room one node serves (written as `roomSearch`
 * for `single`, `roomSearchRedis` for `redis`).
 * Servers, receivers and senders are separate processes on loopback. The attendees are light receivers
 * (bench/chatReceivers.ts: raw WebSockets, frames scanned rather than decoded) at a lower priority, so
 * that the server is what is measured; senders and the low-data watchers are Socket.io clients.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis, type TestRedis } from '../test/helpers/redisServer';
import { startServerProcess, type ServerProcess } from '../test/helpers/serverProcess';
import { loadConfig } from '../server/config';
import type { LoadCommand, LoadReport, ProbeBytes } from './chatLoad';
import type { StockCommand, StockReply } from './stockChatServer';
import { LatencyHistogram } from './LatencyHistogram';
import { LoadProcess } from './LoadProcess';
import { measureCpuCores } from './processCpu';
import { writeResult } from './writeResult';

// Each scenario decides for itself whether its servers share a Redis (one started for it).
delete process.env.REDIS_URL;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    'low-clients': { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    drain: { type: 'string', default: '5' },
    /** Attendees per receiver process (each holds a file descriptor per connection). */
    'clients-per-process': { type: 'string', default: '5000' },
    /**
     * The receivers' niceness: 10 keeps them from taking the server's cores, but on a machine loaded by
     * other work (load average past the core count) it starves them and they measure their own lag.
     */
    'receiver-nice': { type: 'string', default: '10' },
    scenarios: { type: 'string', default: 'single,singleWhole,redis,plainEmit,stockEmit' },
    /** Writes a CPU profile of each Jalsa server process into this directory (Node's `--cpu-prof`), e.g. to see what a flush spends. */
    'server-cpu-prof': { type: 'string' },
    search: { type: 'boolean', default: false },
    'search-from': { type: 'string', default: '12500' },
    'search-growth': { type: 'string', default: '1.25' },
    'search-scenario': { type: 'string', default: 'single' },
    /**
     * A server process cannot hold more connections than its file descriptors allow (`ulimit -n`, 20,000
     * here): 19,000 per server process of the searched scenario unless said.
     */
    'search-max': { type: 'string' },
  },
});
const LOW_CLIENTS = Number(values['low-clients']);
const RATE = Number(values.rate);
const MEASURE_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;
const DRAIN_MS = Number(values.drain) * 1000;
const CLIENTS_PER_PROCESS = Number(values['clients-per-process']);
/** Receivers run below the servers' priority: a remote attendee's device never takes the server's cores. */
const RECEIVER_NICENESS = Number(values['receiver-nice']);
const CPU_PROFILE_DIR = values['server-cpu-prof'];
/** A sender connection may post one message a second (the server's per-connection limit); stay well under it. */
const SENDERS = Math.max(10, Math.ceil(RATE / 0.25));

interface Scenario {
  processes: number;
  batchMs: number;
  /** CHAT_BATCH_GROUPS; undefined leaves the server's default (or the bench's own environment's). */
  batchGroups?: number;
  /** Stock Socket.IO instead of Jalsa. */
  stock?: boolean;
}
const SCENARIOS: Record<string, Scenario> = {
  single: { processes: 1, batchMs: 250 },
  singleWhole: { processes: 1, batchMs: 250, batchGroups: 1 },
  redis: { processes: 2, batchMs: 250 },
  plainEmit: { processes: 1, batchMs: 0 },
  stockEmit: { processes: 1, batchMs: 0, stock: true },
};

/** One `/chat` load process (bench/chatLoad.ts). */
class ChatLoad extends LoadProcess<LoadCommand, LoadReport> {
  constructor() {
    super(path.join(import.meta.dirname, 'chatLoad.ts'), { type: 'stop' });
  }
}

/** A process of light `/chat` receivers (bench/chatReceivers.ts). */
class ChatReceivers extends LoadProcess<LoadCommand, LoadReport> {
  constructor() {
    super(path.join(import.meta.dirname, 'chatReceivers.ts'), { type: 'stop' }, RECEIVER_NICENESS);
  }
}

/** Stock Socket.IO (bench/stockChatServer.ts), at the servers' priority. */
class StockServer extends LoadProcess<StockCommand, StockReply> {
  constructor() {
    super(path.join(import.meta.dirname, 'stockChatServer.ts'), { type: 'stop' });
  }
}

/** What a scenario needs of a server process: where, its pid for CPU time, and how to stop it. */
type BenchServer = Pick<ServerProcess, 'url' | 'pid' | 'stop'>;

async function startStock(): Promise<BenchServer> {
  const stock = new StockServer();
  const { url } = await stock.ask({ type: 'listen' }, 'listening');
  return { url, pid: stock.pid, stop: () => stock.stop() };
}

function sum(values: number[]): number {
  return Number(values.reduce((total, value) => total + value, 0).toFixed(2));
}

async function createEvent(server: BenchServer, key: string): Promise<string> {
  const response = await fetch(`${server.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ title: 'Chat benchmark' }),
  });
  if (response.status !== 201) throw new Error(`creating the event failed: ${response.status}`);
  return ((await response.json()) as { event: { slug: string } }).event.slug;
}

async function run(name: string, { processes, batchMs, batchGroups, stock = false }: Scenario, CLIENTS: number) {
  process.stdout.write(`${name}: starting ${processes} server process(es)…\n`);
  const clientProcesses = Math.max(2, Math.ceil(CLIENTS / CLIENTS_PER_PROCESS));
  // The stock server has no low-data feed: its watchers would receive everything.
  const lowClients = stock ? 0 : LOW_CLIENTS;
  const key = crypto.randomBytes(32).toString('base64url');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-bench-chat-'));
  let redis: TestRedis | undefined;
  const servers: BenchServer[] = [];
  const loads: ChatLoad[] = [];
  try {
    redis = processes > 1 ? await startRedis() : undefined;
    if (stock) servers.push(await startStock());
    for (let i = 0; i < (stock ? 0 : processes); i++) {
      servers.push(
        await startServerProcess({
          DATA_DIR: dataDir,
          ORGANIZER_KEY: key,
          SERVE_CLIENT: 'false',
          LOG_LEVEL: 'warn',
          CHAT_BATCH_MS: String(batchMs),
          ...(batchGroups === undefined ? {} : { CHAT_BATCH_GROUPS: String(batchGroups) }),
          // Every simulated attendee comes from 127.0.0.1: the per-address limit would measure itself.
          CHAT_ADDRESS_MESSAGES_PER_SECOND: '100000',
          SOCKET_CONNECTIONS_PER_ADDRESS: '100000',
          // Thousands connect at once to measure the fan-out, not the server-wide admission of newcomers.
          SOCKET_HANDSHAKES_PER_SECOND: '100000',
          JOINS_PER_SECOND: '100000',
          ...(redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix } : {}),
        }, { nodeOptions: CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROFILE_DIR] : [] }),
      );
    }
    const slug = stock ? 'stock-room' : await createEvent(servers[0]!, key);
    const urls = servers.map((server) => server.url);

    process.stdout.write(`${name}: connecting ${CLIENTS} attendees and ${SENDERS} senders…\n`);
    const connectStart = performance.now();
    const receivers = Array.from({ length: clientProcesses }, () => new ChatReceivers());
    const sender = new ChatLoad();
    const lowWatchers = new ChatLoad();
    loads.push(...receivers, sender, lowWatchers);
    await Promise.all([
      ...receivers.map((load, i) =>
        load.ask({ type: 'connect', urls, slug, count: Math.floor((CLIENTS + i) / clientProcesses), feed: 'full' }, 'connected'),
      ),
      sender.ask({ type: 'connect', urls, slug, count: SENDERS, feed: 'full' }, 'connected'),
      lowWatchers.ask({ type: 'connect', urls, slug, count: lowClients, feed: 'low' }, 'connected'),
    ]);
    // Silent watchers: the first receiver process stands for the full feed, then the low-data process,
    // then the other receivers (counted for the deliveries in the window).
    const meter = () => Promise.all([receivers[0]!, lowWatchers, ...receivers.slice(1)].map((load) => load.ask({ type: 'meter' }, 'meter')));
    const connectSeconds = (performance.now() - connectStart) / 1000;

    process.stdout.write(`${name}: sending ${RATE} messages/s for ${WARMUP_MS / 1000} + ${MEASURE_MS / 1000} s…\n`);
    const sent = sender.ask({ type: 'send', perSecond: RATE, warmupMs: WARMUP_MS, measureMs: MEASURE_MS }, 'sent');
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const metered = await meter();
    // The attendees' processes are measured too: on a small machine they compete with the servers for cores.
    const [cpu, receiverCpu] = await Promise.all([
      Promise.all(servers.map((server) => measureCpuCores(server.pid, MEASURE_MS))),
      Promise.all(receivers.map((load) => measureCpuCores(load.pid, MEASURE_MS))),
    ]);
    const metering = await meter();
    const [fullEnd, lowEnd] = metering;
    const [fullStart, lowStart] = metered;
    // Deliveries to the attendees while the servers' CPU was measured (the low-data watchers left out).
    const windowDeliveries = metering.reduce((sum, end, i) => (i === 1 ? sum : sum + end.messages - metered[i]!.messages), 0);
    const serverCpuCores = sum(cpu);
    const { measured, refused, unacknowledged } = await sent;

    const expected = measured * CLIENTS;
    const drainUntil = performance.now() + DRAIN_MS;
    let arrived = 0;
    while (performance.now() < drainUntil) {
      const progress = await Promise.all(receivers.map((load) => load.ask({ type: 'progress' }, 'progress')));
      arrived = progress.reduce((sum, p) => sum + p.received, 0);
      if (arrived >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const reports = await Promise.all(receivers.map((load) => load.ask({ type: 'report' }, 'report')));
    const histogram = new LatencyHistogram();
    for (const report of reports) histogram.add(report.histogram);
    const received = reports.reduce((sum, r) => sum + r.received, 0);
    return {
      clients: CLIENTS,
      messagesPerSecond: Number((measured / (MEASURE_MS / 1000)).toFixed(1)),
      p50Ms: histogram.quantile(0.5),
      p99Ms: histogram.quantile(0.99),
      serverCpuCores,
      lost: expected - received,
      /** Server CPU time over the deliveries that arrived while it was measured. */
      serverCpuMicrosecondsPerDelivery:
        windowDeliveries > 0 ? Number(((serverCpuCores * MEASURE_MS * 1000) / windowDeliveries).toFixed(2)) : null,
      server: stock ? 'stock Socket.IO, io.to(room).emit per message' : 'Jalsa',
      serverProcesses: processes,
      batchMs,
      batchGroups: stock ? null : (batchGroups ?? loadConfig(process.env).chat.batchGroups),
      deliveriesPerSecond: Math.round(received / (MEASURE_MS / 1000)),
      duplicates: reports.reduce((sum, r) => sum + r.duplicates, 0),
      refusedMessages: refused,
      unacknowledgedMessages: unacknowledged,
      connectSeconds: Number(connectSeconds.toFixed(1)),
      silentWatcher: {
        full: perWatcher(fullStart!, fullEnd!),
        low: lowClients > 0 ? perWatcher(lowStart!, lowEnd!) : null,
        fullIfPerMessageDeflate: deflated(fullStart!, fullEnd!),
      },
      attendeeProcesses: clientProcesses,
      attendeeProcessesCpuCores: sum(receiverCpu),
      // Other work on the machine competes for the same cores: read the figures with this in mind.
      loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
    };
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

type Meter = Extract<LoadReport, { type: 'meter' }>;

/** What one silent watcher of a load process read in the measured window, on average. */
function perWatcher(start: Meter, end: Meter) {
  const seconds = MEASURE_MS / 1000;
  const bytes = (end.bytes - start.bytes) / end.sockets;
  const messages = (end.messages - start.messages) / end.sockets;
  return {
    watchers: end.sockets,
    kbps: Number(((bytes * 8) / seconds / 1000).toFixed(2)),
    messagesPerSecond: Number((messages / seconds).toFixed(2)),
    bytesPerMessage: messages > 0 ? Number((bytes / messages).toFixed(1)) : null,
  };
}

/** The probe connection's frames, as sent and as permessage-deflate would have sent them, per message. */
function deflated(start: Meter, end: Meter) {
  const messages = (end.messages - start.messages) / end.sockets;
  const perMessage = (key: keyof ProbeBytes) => Number(((end.probe[key] - start.probe[key]) / messages).toFixed(1));
  return {
    framesPerSecond: Number(((end.probe.frames - start.probe.frames) / (MEASURE_MS / 1000)).toFixed(1)),
    frameBytesPerMessage: perMessage('plain'),
    deflateBytesPerMessage: perMessage('deflate'),
    deflateNoContextBytesPerMessage: perMessage('deflateNoContext'),
  };
}

/**
 * What permessage-deflate would cost the server per connection, measured here with ws's defaults (a
 * raw deflate stream per connection, 32 KiB window, memLevel 8, kept between frames): the memory of
 * 200 streams that have each compressed a frame, and the CPU time to compress one typical frame.
 */
async function perMessageDeflateCost() {
  const frame = Buffer.from(
    `42/chat,["batch",[null,${Array.from({ length: 5 }, (_, i) => `[0,${i + 1},50,"${crypto.randomBytes(12).toString('base64url')}","Ayesha Khan","b:${i}:${Date.now()}:1"]`).join(',')}]]`,
  );
  const flushed = (stream: zlib.DeflateRaw) => new Promise<void>((resolve) => stream.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
  global.gc?.();
  const before = process.memoryUsage();
  const streams = Array.from({ length: 200 }, () => zlib.createDeflateRaw());
  for (const stream of streams) stream.write(frame);
  await Promise.all(streams.map(flushed));
  const after = process.memoryUsage();
  const frames = 20_000;
  const start = process.cpuUsage();
  for (let i = 0; i < frames; i++) {
    const stream = streams[i % streams.length]!;
    stream.write(frame);
    await flushed(stream);
    stream.read();
  }
  const cpu = process.cpuUsage(start);
  for (const stream of streams) stream.close();
  const perFrameUs = (cpu.user + cpu.system) / frames;
  return {
    kibPerConnection: Number(((after.rss - before.rss) / 1024 / streams.length).toFixed(0)),
    microsecondsPerFrame: Number(perFrameUs.toFixed(1)),
    // 10,000 watchers, 4 frames a second each (one per 250 ms batch).
    coresAt10000Watchers: Number(((perFrameUs * 10_000 * 4) / 1e6).toFixed(2)),
  };
}

type Result = Awaited<ReturnType<typeof run>>;
const results: Record<string, Result> = {};
for (const name of values.scenarios.split(',').filter(Boolean)) {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario "${name}"; choose from ${Object.keys(SCENARIOS).join(', ')}`);
  results[name] = await run(name, scenario, Number(values.clients));
}

/** The largest room served at p99 under a second without loss, growing step by step until one fails. */
async function searchRoom(name: string) {
  const scenario = SCENARIOS[name];
  if (!scenario || scenario.stock) throw new Error(`cannot search with scenario "${name}"`);
  const steps: Result[] = [];
  const max = Number(values['search-max'] ?? 19_000 * scenario.processes);
  for (let clients = Number(values['search-from']); ; clients = Math.min(max, Math.round(clients * Number(values['search-growth'])))) {
    const step = await run(`search ${clients}`, scenario, clients);
    steps.push(step);
    process.stdout.write(`room of ${clients}: p99 ${step.p99Ms} ms, lost ${step.lost}\n`);
    if (step.p99Ms === null || step.p99Ms >= 1000 || step.lost > 0 || clients >= max) break;
  }
  const passed = steps.filter((step) => step.p99Ms !== null && step.p99Ms < 1000 && step.lost === 0);
  return {
    largestRoomP99Under1s: passed.at(-1)?.clients ?? null,
    scenario: name,
    stoppedBy: steps.at(-1) === passed.at(-1) ? `search-max (${max}: file descriptors of ${scenario.processes} process(es))` : 'p99 or loss',
    steps: steps.map(({ clients, p50Ms, p99Ms, lost, serverCpuCores, serverCpuMicrosecondsPerDelivery, loadAverage1m }) => ({
      clients,
      p50Ms,
      p99Ms,
      lost,
      serverCpuCores,
      serverCpuMicrosecondsPerDelivery,
      loadAverage1m,
    })),
  };
}
const searched = values['search-scenario'];
const roomSearch = values.search ? await searchRoom(searched) : undefined;
const roomSearchKey = searched === 'single' ? 'roomSearch' : `roomSearch${searched[0]!.toUpperCase()}${searched.slice(1)}`;

// Figures of scenarios not run this time stay as they were.
const previous = JSON.parse(await fs.readFile(path.join(import.meta.dirname, 'results', 'chat.json'), 'utf8').catch(() => '{}')) as object;
await writeResult('chat', {
  ...previous,
  ...results,
  ...(roomSearch ? { [roomSearchKey]: roomSearch } : {}),
  perMessageDeflateCost: await perMessageDeflateCost(),
  load: {
    senders: SENDERS,
    clientsPerProcess: CLIENTS_PER_PROCESS,
    receivers: `raw WebSocket (bench/chatReceivers.ts), nice ${RECEIVER_NICENESS}`,
    lowDataClients: LOW_CLIENTS,
    warmupSeconds: WARMUP_MS / 1000,
    measureSeconds: MEASURE_MS / 1000,
  },
  machine: { cpus: os.cpus().length, node: process.version },
});
