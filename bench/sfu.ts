/**
 * npm run bench:sfu [-- --window 3 --start 100 --growth 1.5 --max 6000 --cpu-limit 0.85 --budget 150]
 * Receivers one mediasoup worker (one core) can feed: the synthetic source at 320x180 is published into
 * a room, then receivers are added in growing steps — each a PlainTransport with SRTP sending real RTP
 * to UDP sinks on loopback — until the worker's CPU reaches the limit or packets go missing. Done for
 * audio-only receivers (one consumer each) and for 180p receivers (audio and video consumers); and, in
 * the same run for comparison, for audio-only receivers of stock mediasoup: a worker and router with
 * default settings fed the same speech as ffmpeg and browsers send Opus by default, 20 ms a packet.
 * Writes bench/results/sfu.json.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { createLogger } from '../server/logger';
import { speechTrack } from '../server/sfu/speechTrack';
import { OPUS_PTIME_MS } from '../shared/media';
import { waitFor } from '../test/helpers/browser';
import { createEvent, publishTestPattern, startTestServer } from '../test/helpers/testServer';
import { cpuSecondsByPid, cpuTimes, measureCpuCores } from './processCpu';
import { UdpSinks } from './UdpSinks';
import { writeResult } from './writeResult';

const { values } = parseArgs({
  options: {
    window: { type: 'string', default: '3' },
    start: { type: 'string', default: '100' },
    growth: { type: 'string', default: '1.5' },
    max: { type: 'string', default: '6000' },
    'cpu-limit': { type: 'string', default: '0.85' },
    /** Seconds each of the two ramps may take at most. */
    budget: { type: 'string', default: '150' },
  },
});
const windowMs = Number(values.window) * 1000;
const cpuLimit = Number(values['cpu-limit']);
const maxReceivers = Number(values.max);
/** Receivers whose RTP did not all arrive: beyond this share the worker is dropping, whatever its CPU. */
const LOSS_LIMIT = 0.01;
/** Simple (non-simulcast) video consumers start forwarding at a keyframe; the source sends one a second. */
const SETTLE_MS = 1_500;
/**
 * Receivers set up at once. Small batches: a burst of hundreds of requests queues behind the worker's
 * RTP work and the bench's own, and would time out while the worker still forwards everything.
 */
const CREATE_BATCH = 10;
/**
 * A batch not set up in this long ends the ramp as `setup`: the steps measured so far stand, and the
 * step's CPU figures say whether the worker or the bench process (its sinks, its channel) was busy.
 */
const SETUP_TIMEOUT_MS = 60_000;

interface Step {
  receivers: number;
  workerCpuCores: number;
  /** RTP the receivers missed (gaps in their sequence numbers), as a share of what they should have had. */
  loss: number;
  /** 1 - RTP read / RTP due from the producer's count: skewed by the stats round trip (see measure()). */
  unread: number;
  /** Datagrams the kernel dropped at the sinks' sockets in the window (the sinks, not the worker, too slow). */
  sinkDrops: number;
  /** Of the worker's CPU, the share spent in the kernel (its sends, and on loopback the sinks' receiving too). */
  workerSystemShare: number;
  /** Other work on the shared machine competes for the worker's core. */
  loadAverage1m: number;
  /** Wall time to set up this step's new receivers, per receiver. */
  setupMsPerReceiver: number;
  /** The worker while it set them up, besides forwarding to the receivers already there. */
  setupWorkerCpuCores: number;
  /** The bench process over the same window (the sinks' thread, mediasoup's channel, the in-process server): the load generator. */
  benchCpuCores: number;
}

/** Where a ramp's setup stalled, and what the worker and the bench used while it did. */
interface Stall {
  receivers: number;
  workerCpuCores: number;
  benchCpuCores: number;
}

/** What ffmpeg's libopus and browsers send unless told otherwise. */
const STOCK_OPUS_PACKET_MS = 20;
const STOCK_SSRC = 22_222_222;
const STOCK_PAYLOAD_TYPE = 100;

/**
 * Stock mediasoup for the comparison: its own worker and router, every setting left at its default, and
 * the same speech published into it by ffmpeg as Opus in 20 ms packets (ffmpeg's default).
 */
class StockAudio {
  readonly worker: types.Worker;
  readonly router: types.Router;
  readonly producer: types.Producer;
  readonly #ffmpeg: ReturnType<typeof spawn>;

  private constructor(worker: types.Worker, router: types.Router, producer: types.Producer, ffmpeg: ReturnType<typeof spawn>) {
    this.worker = worker;
    this.router = router;
    this.producer = producer;
    this.#ffmpeg = ffmpeg;
  }

  static async start(): Promise<StockAudio> {
    const speech = await speechTrack(createLogger('silent'));
    if (!speech) throw new Error('the stock comparison needs the speech track (espeak-ng)');
    // Ports apart from the app's worker (RTC ports 20000-29999 above) and below the kernel's ephemeral range.
    const worker = await mediasoup.createWorker({ rtcMinPort: 10_000, rtcMaxPort: 19_999 });
    try {
      const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48_000, channels: 2 }] });
      const input = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
      const producer = await input.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: STOCK_PAYLOAD_TYPE }],
          encodings: [{ ssrc: STOCK_SSRC }],
        },
      });
      const target = `rtp://127.0.0.1:${input.tuple.localPort}?rtcpport=${input.rtcpTuple!.localPort}&pkt_size=1200`;
      const ffmpeg = spawn(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', speech,
          '-c:a', 'libopus', '-b:a', '32k', '-ac', '2', '-ar', '48000', '-frame_duration', String(STOCK_OPUS_PACKET_MS),
          '-ssrc', String(STOCK_SSRC), '-payload_type', String(STOCK_PAYLOAD_TYPE), '-f', 'rtp', target],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      await waitFor(async () => (await producer.getStats())[0]?.packetCount ?? 0, (count) => count > 0, 10_000, 100);
      return new StockAudio(worker, router, producer, ffmpeg);
    } catch (error) {
      worker.close();
      throw error;
    }
  }

  close(): void {
    this.#ffmpeg.kill('SIGKILL');
    this.worker.close();
  }
}

const test = await startTestServer({ MEDIASOUP_WORKERS: '1', RTC_MIN_PORT: '20000', RTC_MAX_PORT: '29999' });
const sinks = await UdpSinks.open(8);
try {
  const { slug } = await createEvent(test, 'SFU benchmark');
  const workerPid = test.server.workers.pids()[0]!;
  const origin = observeOrigin(test.server.workers.alive()[0]!, slug);
  const publisher = await publishTestPattern(test, slug, { width: 320, height: 180 });
  const room = origin.router!;
  // Only the SFU is measured: the HLS packager (another consumer and an encoder) stops.
  const packager = await waitFor(async () => test.server.hls.packager(slug), (p) => p !== undefined, 5_000, 100);
  await packager?.stop({ ended: false });
  const producers = origin.producers;
  const audio = producers.find((p) => p.kind === 'audio')!;

  // Stock first, then ours, one after the other: the machine's other load moves between them either way.
  const stock = await StockAudio.start();
  let stockRun: Awaited<ReturnType<typeof ramp>>;
  try {
    stockRun = await ramp(stock.router, [stock.producer], stock.worker.pid, 'stock audio');
  } finally {
    stock.close();
  }
  const audioRun = await ramp(room, [audio], workerPid, 'audio');
  const videoRun = await ramp(room, producers, workerPid, '180p');
  const bitrates = Object.fromEntries(
    await Promise.all(producers.map(async (p) => [p.kind, Math.round((await p.getStats()).reduce((s, x) => s + x.bitrate, 0) / 1000)])),
  );
  publisher.close();
  await writeResult('sfu', {
    consumersPerWorkerAudio: audioRun.capacity,
    consumersPerWorkerAudioStock: stockRun.capacity,
    consumersPerWorker180p: videoRun.capacity,
    opusPacketMs: { ours: OPUS_PTIME_MS, stock: STOCK_OPUS_PACKET_MS },
    cpuCoresAtMax: Math.max(...[...audioRun.steps, ...stockRun.steps, ...videoRun.steps].map((step) => step.workerCpuCores)),
    sourceKbps: bitrates,
    /** Why each ramp ended: the CPU limit, loss, --max, its --budget of time, or receivers not set up in time (`setup`). */
    stoppedBy: { audio: audioRun.stoppedBy, audioStock: stockRun.stoppedBy, video180p: videoRun.stoppedBy },
    /** Where a ramp stopped as `setup`: the receivers set up, and the worker's and the bench's CPU while the last batch waited. */
    stalls: { audio: audioRun.stall, audioStock: stockRun.stall, video180p: videoRun.stall },
    stepsAudio: audioRun.steps,
    stepsAudioStock: stockRun.steps,
    steps180p: videoRun.steps,
    method:
      `receivers = PlainTransports with SRTP to UDP sinks on loopback; a 180p receiver holds an audio and a video consumer; ` +
      `loss = RTP sequence numbers missing at the sinks / RTP that should have arrived; unread = 1 - RTP read / producer packets x receivers; audio: ours ${OPUS_PTIME_MS} ms Opus packets through the app's worker, ` +
      `stock ${STOCK_OPUS_PACKET_MS} ms packets through a default mediasoup worker and router, same speech. ` +
      `Steps grow by ${values.growth}x from ${values.start}; capacity is interpolated to ${cpuLimit} of a core, or the last step ` +
      `with under ${LOSS_LIMIT * 100}% loss; CPU of the worker process from /proc over ${values.window} s`,
  });
} finally {
  await sinks.close();
  await test.close();
}

/**
 * The bench drives mediasoup below the app (receivers no client could make): it finds the event's
 * origin router (the first one made for the slug) and the producers published on it through mediasoup's observer.
 */
function observeOrigin(worker: types.Worker, slug: string): { router: types.Router | undefined; producers: types.Producer[] } {
  const origin: { router: types.Router | undefined; producers: types.Producer[] } = { router: undefined, producers: [] };
  worker.observer.on('newrouter', (router) => {
    if (router.appData.slug !== slug || origin.router) return;
    origin.router = router;
    router.observer.on('newtransport', (transport) => transport.observer.on('newproducer', (p) => origin.producers.push(p)));
  });
  return origin;
}

type StopReason = 'cpu' | 'loss' | 'max' | 'time' | 'setup';

async function ramp(room: types.Router, producers: types.Producer[], workerPid: number, label: string) {
  const transports: types.PlainTransport[] = [];
  const steps: Step[] = [];
  const deadline = Date.now() + Number(values.budget) * 1000;
  let target = Number(values.start);
  let stoppedBy: StopReason;
  let stall: Stall | undefined;
  try {
    for (;;) {
      const added = target - transports.length;
      const setupStart = performance.now();
      const cpuBefore = cpuSecondsByPid([workerPid, process.pid]);
      const grown = await grow(room, producers, transports, target, deadline);
      const setup = setupCpu(cpuBefore, performance.now() - setupStart, workerPid);
      if (!grown) {
        stoppedBy = 'setup';
        stall = { receivers: transports.length, ...setup };
        process.stdout.write(`${label}: ${CREATE_BATCH} receivers not set up within ${SETUP_TIMEOUT_MS / 1000} s: ${JSON.stringify(stall)}\n`);
        break;
      }
      const setupMsPerReceiver = (performance.now() - setupStart) / Math.max(1, added);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const step = {
        ...(await measure(producers, transports.length, workerPid)),
        setupMsPerReceiver: Number(setupMsPerReceiver.toFixed(2)),
        setupWorkerCpuCores: setup.workerCpuCores,
      };
      steps.push(step);
      process.stdout.write(`${label}: ${JSON.stringify(step)}\n`);
      if (step.workerCpuCores >= cpuLimit) stoppedBy = 'cpu';
      else if (step.loss > LOSS_LIMIT) stoppedBy = 'loss';
      else if (target >= maxReceivers) stoppedBy = 'max';
      else if (Date.now() > deadline) stoppedBy = 'time';
      else {
        target = Math.min(maxReceivers, Math.ceil(target * Number(values.growth)));
        continue;
      }
      break;
    }
  } finally {
    for (const transport of transports) transport.close();
  }
  return { capacity: capacity(steps), stoppedBy, stall, steps };
}

/**
 * What the worker and the bench process (its channel to the worker, its sinks) used while receivers were
 * being set up: a setup that stalls with the worker at a full core waited on the worker's RTP work,
 * with the bench busy on the bench.
 */
function setupCpu(before: Map<number, number>, elapsedMs: number, workerPid: number): Omit<Stall, 'receivers'> {
  const after = cpuSecondsByPid([workerPid, process.pid]);
  const cores = (pid: number) => Number((((after.get(pid) ?? 0) - (before.get(pid) ?? 0)) / (elapsedMs / 1000)).toFixed(3));
  return { workerCpuCores: cores(workerPid), benchCpuCores: cores(process.pid) };
}

/** Adds receivers up to `target`; false when a batch was not set up in time. */
async function grow(
  room: types.Router,
  producers: types.Producer[],
  transports: types.PlainTransport[],
  target: number,
  deadline: number,
): Promise<boolean> {
  while (transports.length < target && Date.now() < deadline) {
    const batch = Math.min(CREATE_BATCH, target - transports.length);
    const created = Promise.all(Array.from({ length: batch }, (_, i) => receiver(room, producers, transports.length + i)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SETUP_TIMEOUT_MS);
    });
    const added = await Promise.race([created, timeout]);
    clearTimeout(timer);
    if (!added) {
      void created.then((late) => late.forEach((t) => t.close()), () => undefined);
      return false;
    }
    transports.push(...added);
  }
  return true;
}

async function receiver(room: types.Router, producers: types.Producer[], index: number): Promise<types.PlainTransport> {
  const transport = await room.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: true,
    comedia: false,
    enableSrtp: true,
    srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
  });
  await transport.connect({
    ip: '127.0.0.1',
    port: sinks.ports[index % sinks.ports.length]!,
    srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: crypto.randomBytes(30).toString('base64') },
  });
  for (const producer of producers) {
    await transport.consume({ producerId: producer.id, rtpCapabilities: room.rtpCapabilities, paused: false });
  }
  return transport;
}

/**
 * A worker that cannot keep up leaves packets in its sockets' buffers until the kernel drops them;
 * receivers that read too slowly do the same. Loss is counted by the sinks, from the gaps in each
 * consumer's RTP sequence numbers: what the receivers would miss, whatever the cause, and not from the
 * kernel's counters, which other programs' drops on a shared machine would inflate. The sinks' own
 * kernel drops are recorded beside it (`sinkDrops`), to tell the sinks' slowness from the worker's.
 *
 * `unread` is the older figure: RTP read by the sinks against RTP due (the producer's packets times
 * the receivers, counted through a stats round trip to the worker; each end of the window taken at the
 * middle of its round trip). Its window is never quite the sinks' one: at 20 ms packets to 225
 * receivers, 20 ms of shift is 0.7 % of a 3 s window, so it no longer decides.
 */
async function measure(producers: types.Producer[], receivers: number, workerPid: number): Promise<Omit<Step, 'setupMsPerReceiver' | 'setupWorkerCpuCores'>> {
  const snapshot = async () => {
    const readBefore = sinks.rtp;
    const sent = (
      await Promise.all(producers.map(async (p) => (await p.getStats()).reduce((s, x) => s + x.packetCount, 0)))
    ).reduce((a, b) => a + b, 0);
    return { sent, read: (readBefore + sinks.rtp) / 2, missing: sinks.missing, drops: sinks.kernelDrops() };
  };
  const before = await snapshot();
  const workerBefore = cpuTimes(workerPid);
  const [workerCpuCores, benchCpuCores] = await Promise.all([measureCpuCores(workerPid, windowMs), measureCpuCores(process.pid, windowMs)]);
  const workerAfter = cpuTimes(workerPid);
  const after = await snapshot();
  const due = (after.sent - before.sent) * receivers;
  const read = after.read - before.read;
  const missing = after.missing - before.missing;
  const workerSystem = workerAfter.system - workerBefore.system;
  const workerTotal = workerSystem + workerAfter.user - workerBefore.user;
  return {
    receivers,
    workerCpuCores: Number(workerCpuCores.toFixed(3)),
    workerSystemShare: workerTotal > 0 ? Number((workerSystem / workerTotal).toFixed(2)) : 0,
    benchCpuCores: Number(benchCpuCores.toFixed(3)),
    loss: read + missing > 0 ? Number((missing / (read + missing)).toFixed(4)) : 1,
    unread: due > 0 ? Number((1 - read / due).toFixed(4)) : 1,
    sinkDrops: after.drops - before.drops,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
  };
}

/** Receivers at the CPU limit, interpolated between the last two steps; or the last step without loss. */
function capacity(steps: Step[]): number {
  const last = steps.at(-1);
  if (!last) return 0;
  const previous = steps.at(-2);
  if (last.loss > LOSS_LIMIT) return previous?.receivers ?? 0;
  if (last.workerCpuCores < cpuLimit || !previous) return last.receivers;
  const share = (cpuLimit - previous.workerCpuCores) / (last.workerCpuCores - previous.workerCpuCores);
  return Math.round(previous.receivers + share * (last.receivers - previous.receivers));
}
