/**
 * npm run bench:abuse [-- --hostile 2000 --legit 200 --webrtc 20 --seconds 40 --warmup 10 --rate 5 --garbage 20
 *   --hostile-nice 10 --chat-every 10 --webrtc-every 12 --variants baseline,direct,proxy --headline proxy]
 * A flood against a live event while its audience watches. The server runs as its own process (its CPU
 * and memory are read from /proc, with its mediasoup worker and ffmpeg children); the event is live
 * from a prepared recording of synthesised speech (espeak-ng), uploaded as an organizer would. Then:
 *   legit    attendees from their own loopback addresses: HLS followers playing the live playlist (a
 *            stall is a second the playhead waited for media), WebRTC attendees setting up receiving
 *            again and again, and everyone chatting (every message timed to every attendee);
 *   hostile  connections from one load process that join, make transports, consume, send malformed,
 *            unanswerable and oversize frames, flood the chat, and open Engine.IO sessions only to send
 *            them garbage. Refused connections retry.
 * Variants: `baseline` (no flood), `direct` (every hostile connection from 127.0.0.1, i.e. one address),
 * `proxy` (each hostile connection claims its own address in X-Forwarded-For to the trusted local proxy,
 * as a botnet behind nginx would appear). Prints a table and writes bench/results/abuse.json, whose
 * top-level figures are the `--headline` variant's (each variant's are under `variants`).
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { SEGMENT_SECONDS } from '../shared/ladder';
import { recordingFiles, recordingUrl } from '../shared/recordingLayout';
import { parseMediaPlaylist } from '../server/hls/PlaylistComposer';
import { createLogger } from '../server/logger';
import { speechTrack } from '../server/sfu/speechTrack';
import { sample } from '../test/helpers/prometheus';
import { productionShedding, startServerProcess, type ServerProcess } from '../test/helpers/serverProcess';
import type { HostileReport, LegitReport, LoadCommand, LoadReply } from './abuseLoad';
import { LoadProcess } from './LoadProcess';
import { cpuSecondsByPid, processTree, rssMb } from './processCpu';
import { writeResult } from './writeResult';

delete process.env.REDIS_URL;

const { values } = parseArgs({
  options: {
    hostile: { type: 'string', default: '2000' },
    legit: { type: 'string', default: '200' },
    webrtc: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '10' },
    rate: { type: 'string', default: '5' },
    /** The flood's scheduling priority: it must not take the server's cores, as a remote attacker's cannot. */
    'hostile-nice': { type: 'string', default: '10' },
    garbage: { type: 'string', default: '20' },
    'chat-every': { type: 'string', default: '10' },
    'webrtc-every': { type: 'string', default: '12' },
    variants: { type: 'string', default: 'baseline,direct,proxy' },
    /** Whose figures abuse.json puts first: the many-address flood, the one no per-address limit holds. */
    headline: { type: 'string', default: 'proxy' },
  },
});
const HOSTILE = Number(values.hostile);
const LEGIT = Number(values.legit);
const WEBRTC = Math.min(LEGIT, Number(values.webrtc));
const MEASURE_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;
/** Chat still on its way when the window closes is given this long to arrive. */
const DRAIN_MS = 3_000;
const SAMPLE_MS = 1_000;
/** The server's default: a receive transport never connected this long is closed. */
const CONNECT_TIMEOUT_MS = 10_000;
const METRICS_TOKEN = crypto.randomBytes(24).toString('base64url');

type Variant = 'baseline' | 'direct' | 'proxy';
const VARIANTS: Variant[] = ['baseline', 'direct', 'proxy'];

/** An attendees' or a flood's load process (bench/abuseLoad.ts). */
class AbuseLoad extends LoadProcess<LoadCommand, LoadReply> {
  constructor(niceness = 0) {
    super(path.join(import.meta.dirname, 'abuseLoad.ts'), { type: 'stop' }, niceness);
  }
}

const execFileAsync = promisify(execFile);
const logger = createLogger('warn');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The project's synthesised speech (server/sfu/speechTrack.ts): what an audio encoder sees at a rally. */
async function speech(seconds: number): Promise<string> {
  const file = await speechTrack(logger);
  if (!file) throw new Error('bench:abuse needs espeak-ng for its speech source: run npm run setup');
  // The upload plays once to its end: a run longer than the speech would measure an ended event.
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  if (Number(stdout) < seconds) throw new Error(`the speech track lasts ${Number(stdout).toFixed(0)} s: ask for a shorter run than ${seconds} s`);
  return file;
}

async function liveFromSpeech(server: ServerProcess, instanceKey: string, wav: string): Promise<string> {
  const created = await fetch(`${server.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${instanceKey}` },
    body: JSON.stringify({ title: 'Abuse benchmark' }),
  });
  if (created.status !== 201) throw new Error(`creating the event failed: ${created.status}`);
  const { event, organizerKey } = (await created.json()) as { event: { slug: string }; organizerKey: string };
  const form = new FormData();
  form.append('media', new Blob([await fs.readFile(wav)], { type: 'audio/wav' }), 'speech.wav');
  const uploaded = await fetch(`${server.url}/api/events/${event.slug}/file-broadcast`, {
    method: 'POST',
    headers: { authorization: `Bearer ${organizerKey}` },
    body: form,
  });
  if (uploaded.status !== 201) throw new Error(`going live from the recording failed: ${uploaded.status} ${await uploaded.text()}`);
  // Attendees come once the ladder has a few segments, as they would to an event already running.
  const playlist = `${server.url}${recordingUrl(event.slug, recordingFiles.rungPlaylist('180p'))}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await fetch(playlist).then((r) => (r.ok ? r.text() : ''), () => '');
    if (parseMediaPlaylist(text).segments.length >= 3) return event.slug;
    await sleep(500);
  }
  throw new Error('the HLS ladder did not start');
}

/** Segments the ladder has published so far (its 180p rung): a packager that stalls stops adding them. */
async function segmentsPublished(server: ServerProcess, slug: string): Promise<number> {
  const playlist = `${server.url}${recordingUrl(slug, recordingFiles.rungPlaylist('180p'))}`;
  return parseMediaPlaylist(await fetch(playlist).then((r) => (r.ok ? r.text() : ''), () => '')).segments.length;
}

/** Newcomers the server-wide admission refused, by kind and why (its counter since the start). */
type AdmissionRefusals = Record<'handshake' | 'join', Record<'rate' | 'loopDelay', number>>;

function admissionRefusals(text: string): AdmissionRefusals {
  const read = (kind: string, why: string) => sample(text, 'jalsa_admission_refused_total', { kind, why }) ?? 0;
  return {
    handshake: { rate: read('handshake', 'rate'), loopDelay: read('handshake', 'loopDelay') },
    join: { rate: read('join', 'rate'), loopDelay: read('join', 'loopDelay') },
  };
}

function refusalsSince(before: AdmissionRefusals, after: AdmissionRefusals): AdmissionRefusals {
  const since = (kind: 'handshake' | 'join') => ({
    rate: after[kind].rate - before[kind].rate,
    loopDelay: after[kind].loopDelay - before[kind].loopDelay,
  });
  return { handshake: since('handshake'), join: since('join') };
}

interface ServerSample {
  admission: AdmissionRefusals;
  seatsUsed: number;
  /** The longest the server's event loop was held up since the previous scrape (prom-client resets it). */
  eventLoopLagMaxMs: number;
}

/** What the server reports; undefined when it did not answer within a sample's time. */
async function scrapeServer(server: ServerProcess): Promise<ServerSample | undefined> {
  try {
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    return {
      admission: admissionRefusals(text),
      seatsUsed: sample(text, 'jalsa_webrtc_seats_used') ?? 0,
      eventLoopLagMaxMs: Math.round((sample(text, 'nodejs_eventloop_lag_max_seconds') ?? 0) * 1000),
    };
  } catch {
    return undefined;
  }
}

interface Figures {
  hostileSockets: number;
  legitimateStalls: { secondsTotal: number; maxPerClientSeconds: number; clientsThatStalled: number; followers: number };
  /** The most seats held at once by others than the legitimate attendees, and on average over the window. */
  seatsTakenByHostile: number;
  seatsTakenByHostileMean: number;
  serverEventLoopLagMaxMs: number;
  serverRssMb: number;
  /** What the flood was told, by kind, as its clients saw it. */
  refused: Record<string, number>;
  /** Newcomers (the flood's and the attendees') the server-wide admission turned away in the window. */
  admissionRefused: AdmissionRefusals | null;
  serverCpuCores: number;
  /** With the server's mediasoup worker and ffmpeg children (publisher and HLS packager). */
  serverTreeCpuCores: number;
  serverTreeRssMb: number;
  /** The attendees' and the flood's own processes: on a small machine they compete with the server. */
  loadProcessesCpuCores: number;
  seatsUsedMax: number;
  /** Scrapes of /metrics during the window that got no answer within 5 s: the server was not responding. */
  metricsUnanswered: string;
  /** Media the HLS ladder added during the window, against the window's length: the packager kept up or not. */
  ladderSecondsPublished: number;
  measuredSeconds: number;
  legitimate: LegitReport;
  hostile: Omit<HostileReport, 'refused'> | null;
  loadAverage1m: number;
}

async function run(variant: Variant, wav: string): Promise<Figures> {
  process.stdout.write(`${variant}: starting the server and going live…\n`);
  const instanceKey = crypto.randomBytes(32).toString('base64url');
  const server = await startServerProcess({
    ORGANIZER_KEY: instanceKey,
    SERVE_CLIENT: 'false',
    LOG_LEVEL: 'error',
    METRICS_TOKEN,
    WEBRTC_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    ...productionShedding,
  });
  const loads: AbuseLoad[] = [];
  try {
    const slug = await liveFromSpeech(server, instanceKey, wav);
    process.stdout.write(`${variant}: ${LEGIT} attendees joining…\n`);
    const legit = new AbuseLoad();
    loads.push(legit);
    await legit.ask(
      {
        type: 'legit',
        options: {
          url: server.url,
          slug,
          attendees: LEGIT,
          webrtc: WEBRTC,
          chatEverySeconds: Number(values['chat-every']),
          webrtcEverySeconds: Number(values['webrtc-every']),
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
        },
      },
      'ready',
    );
    let hostile: AbuseLoad | undefined;
    if (variant !== 'baseline') {
      process.stdout.write(`${variant}: ${HOSTILE} hostile sockets…\n`);
      hostile = new AbuseLoad(Number(values['hostile-nice']));
      loads.push(hostile);
      await hostile.ask(
        {
          type: 'hostile',
          options: {
            url: server.url,
            slug,
            sockets: HOSTILE,
            spoof: variant === 'proxy',
            ratePerSocket: Number(values.rate),
            garbagePerSecond: Number(values.garbage),
            connectTimeoutMs: CONNECT_TIMEOUT_MS,
          },
        },
        'ready',
      );
    }
    await sleep(WARMUP_MS);

    process.stdout.write(`${variant}: measuring for ${MEASURE_MS / 1000} s…\n`);
    for (const load of loads) load.tell({ type: 'measure', on: true });
    const tree = processTree(server.pid);
    const loadPids = loads.map((load) => processTree(load.pid)).flat();
    const cpuBefore = cpuSecondsByPid([...tree, ...loadPids]);
    const segmentsBefore = await segmentsPublished(server, slug);
    const startedAt = performance.now();
    let rss = 0;
    let treeRss = 0;
    let seatsMax = 0;
    let hostileSeats = 0;
    let hostileSeatsSum = 0;
    let lagMax = 0;
    let samples = 0;
    let unanswered = 0;
    let firstAdmission: AdmissionRefusals | undefined;
    let lastAdmission: AdmissionRefusals | undefined;
    while (performance.now() - startedAt < MEASURE_MS) {
      rss = Math.max(rss, rssMb([server.pid]));
      treeRss = Math.max(treeRss, rssMb(processTree(server.pid)));
      const [scraped, legitHeld] = await Promise.all([scrapeServer(server), legit.ask({ type: 'seats' }, 'seats')]);
      if (scraped === undefined) unanswered++;
      else {
        firstAdmission ??= scraped.admission;
        lastAdmission = scraped.admission;
        seatsMax = Math.max(seatsMax, scraped.seatsUsed);
        const taken = Math.max(0, scraped.seatsUsed - legitHeld.held);
        hostileSeats = Math.max(hostileSeats, taken);
        hostileSeatsSum += taken;
        lagMax = Math.max(lagMax, scraped.eventLoopLagMaxMs);
      }
      samples++;
      await sleep(SAMPLE_MS);
    }
    const cpuAfter = cpuSecondsByPid([...tree, ...loadPids]);
    const segmentsInWindow = (await segmentsPublished(server, slug)) - segmentsBefore;
    const elapsed = (performance.now() - startedAt) / 1000;
    const cores = (pids: number[]) =>
      pids.reduce((sum, pid) => sum + ((cpuAfter.get(pid) ?? 0) - (cpuBefore.get(pid) ?? cpuAfter.get(pid) ?? 0)), 0) / elapsed;
    for (const load of loads) load.tell({ type: 'measure', on: false });
    await sleep(DRAIN_MS);

    const legitReport = (await legit.ask({ type: 'report' }, 'report')).legit!;
    const hostileReport = hostile ? (await hostile.ask({ type: 'report' }, 'report')).hostile! : undefined;
    const { refused = {}, ...hostileRest } = hostileReport ?? {};
    return {
      hostileSockets: hostile ? HOSTILE : 0,
      legitimateStalls: {
        secondsTotal: legitReport.hls.stallSecondsTotal,
        maxPerClientSeconds: legitReport.hls.stallSecondsMaxPerClient,
        clientsThatStalled: legitReport.hls.clientsThatStalled,
        followers: legitReport.hls.followers,
      },
      seatsTakenByHostile: hostileSeats,
      seatsTakenByHostileMean: Math.round(hostileSeatsSum / Math.max(1, samples - unanswered)),
      serverEventLoopLagMaxMs: lagMax,
      serverRssMb: Math.round(rss),
      refused,
      admissionRefused: firstAdmission && lastAdmission ? refusalsSince(firstAdmission, lastAdmission) : null,
      serverCpuCores: Number(cores([server.pid]).toFixed(2)),
      serverTreeCpuCores: Number(cores(tree).toFixed(2)),
      serverTreeRssMb: Math.round(treeRss),
      loadProcessesCpuCores: Number(cores(loadPids).toFixed(2)),
      seatsUsedMax: seatsMax,
      metricsUnanswered: `${unanswered} of ${samples}`,
      ladderSecondsPublished: segmentsInWindow * SEGMENT_SECONDS,
      measuredSeconds: Number(elapsed.toFixed(1)),
      legitimate: legitReport,
      hostile: hostileReport ? (hostileRest as Omit<HostileReport, 'refused'>) : null,
      loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
    };
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await server.stop();
    await fs.rm(server.dataDir, { recursive: true, force: true });
  }
}

function table(results: Partial<Record<Variant, Figures>>): string {
  const rows: [string, (f: Figures) => unknown][] = [
    ['hostile sockets', (f) => f.hostileSockets],
    ['hostile connections admitted', (f) => f.hostile?.connectionsAdmitted ?? 0],
    ['hostile requests sent / s', (f) => Math.round((f.hostile?.requestsSent ?? 0) / f.measuredSeconds)],
    ['legit HLS stall s (total / max per client)', (f) => `${f.legitimateStalls.secondsTotal} / ${f.legitimateStalls.maxPerClientSeconds}`],
    ['legit HLS clients that stalled', (f) => `${f.legitimateStalls.clientsThatStalled} of ${f.legitimateStalls.followers}`],
    ['legit chat lost / p99 ms', (f) => `${f.legitimate.chat.lostDeliveries} of ${f.legitimate.chat.expectedDeliveries} / ${f.legitimate.chat.p99Ms}`],
    ['legit chat refused', (f) => JSON.stringify(f.legitimate.chat.refused)],
    ['legit WebRTC setups', (f) => JSON.stringify(f.legitimate.webrtc.setups)],
    ['legit WebRTC joins retried (serverBusy)', (f) => f.legitimate.webrtc.joinRetries],
    ['legit WebRTC setup p99 ms', (f) => f.legitimate.webrtc.setupP99Ms],
    ['ladder media published s / window s', (f) => `${f.ladderSecondsPublished} / ${f.measuredSeconds}`],
    ['/metrics unanswered (5 s)', (f) => f.metricsUnanswered],
    ['seats taken by hostile (max / mean)', (f) => `${f.seatsTakenByHostile} / ${f.seatsTakenByHostileMean}`],
    ['server event loop lag max ms', (f) => f.serverEventLoopLagMaxMs],
    ['server CPU cores (node / with children)', (f) => `${f.serverCpuCores} / ${f.serverTreeCpuCores}`],
    ['load processes CPU cores', (f) => f.loadProcessesCpuCores],
    ['server RSS MB (node / with children)', (f) => `${f.serverRssMb} / ${f.serverTreeRssMb}`],
    ['refused', (f) => JSON.stringify(f.refused)],
    ['admission refused (server)', (f) => JSON.stringify(f.admissionRefused)],
  ];
  const names = Object.keys(results) as Variant[];
  return rows.map(([label, value]) => [label.padEnd(44), ...names.map((n) => `${n}: ${String(value(results[n]!))}`)].join('  ')).join('\n');
}

const chosen = values.variants.split(',') as Variant[];
for (const name of chosen) {
  if (!VARIANTS.includes(name)) throw new Error(`unknown variant "${name}"; choose from ${VARIANTS.join(', ')}`);
}
const wav = await speech((WARMUP_MS + MEASURE_MS) / 1000 + 90);
const results: Partial<Record<Variant, Figures>> = {};
for (const name of chosen) results[name] = await run(name, wav);
process.stdout.write(`\n${table(results)}\n\n`);
const headlineName = (chosen.includes(values.headline as Variant) ? values.headline : chosen.at(-1)) as Variant;
const headline = results[headlineName]!;
await writeResult('abuse', {
  headline: headlineName,
  hostileSockets: headline.hostileSockets,
  legitimateStalls: headline.legitimateStalls,
  seatsTakenByHostile: headline.seatsTakenByHostile,
  serverRssMb: headline.serverRssMb,
  refused: { ...headline.refused, admission: headline.admissionRefused },
  legitimateChat: { p50Ms: headline.legitimate.chat.p50Ms, p99Ms: headline.legitimate.chat.p99Ms, lost: headline.legitimate.chat.lostDeliveries },
  serverEventLoopLagMaxMs: headline.serverEventLoopLagMaxMs,
  variants: results,
  load: {
    legitimateAttendees: LEGIT,
    webrtcAttendees: WEBRTC,
    hostileRequestsPerSocketPerSecond: Number(values.rate),
    engineGarbagePerSecond: Number(values.garbage),
    warmupSeconds: WARMUP_MS / 1000,
    measureSeconds: MEASURE_MS / 1000,
  },
  machine: { cpus: os.cpus().length, node: process.version },
});
