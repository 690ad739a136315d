/**
 * npm run drill [-- --window 25 --disk-mb 256] [--faults packager,worker,redis,disk,sigterm] [--repeat 1]
 * The fault drill: a live event on real server processes — an origin (2 mediasoup workers, recording
 * onto a small tmpfs) and an edge sharing chat through Redis — with a WebRTC viewer (the watch page in
 * Chromium), an HLS listener (a Node follower of the audio-only rung) and four chatters (two per
 * process, each the app's ChatClient), broadcasting an espeak-ng speech as the organizer's file broadcast.
 * One fault after the other, `--window` seconds apart: kill -9 the packager's ffmpeg, kill -9 a
 * mediasoup worker, kill -9 Redis (restarted 5 s later), fill the recording disk for 10 s, SIGTERM the
 * origin and start it again. Reports for each fault the seconds of sound each attendee lost, segments
 * lost or rewritten, chat messages lost, and whether the recording replays whole at the end.
 * Needs root (tmpfs) and the built client (`npm run build:client`). Writes bench/results/drill.json.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { recordingFiles } from '../shared/recordingLayout';
import { recordingUrls } from '../shared/recordingLayout';
import { launchChromium, trackPeerConnections, waitFor } from '../test/helpers/browser';
import { randomToken } from '../test/helpers/ChatTestClient';
import { startRedis, type TestRedis } from '../test/helpers/redisServer';
import {
  broadcastFileOn,
  childProcesses,
  createEventOn,
  freeTcpPort,
  packagerFfmpegOf,
  productionShedding,
  startServerProcess,
  type ServerProcess,
} from '../test/helpers/serverProcess';
import { SignallingClient } from '../test/helpers/SignallingClient';
import { readPlayer } from '../test/helpers/watchPage';
import { Chatter, HlsFollower, secondsWithin, timedSegments, timelineGaps, WebRtcViewer, type Span } from './drillAttendees';
import { writeResult } from './writeResult';

const FAULT_KEYS = ['packager', 'worker', 'redis', 'disk', 'sigterm'] as const;
type FaultKey = (typeof FAULT_KEYS)[number];
const { values } = parseArgs({
  options: {
    window: { type: 'string', default: '25' },
    'disk-mb': { type: 'string', default: '256' },
    // A subset of the faults, in this order, e.g. `--faults sigterm --repeat 6` to chase an intermittent one.
    faults: { type: 'string', default: FAULT_KEYS.join(',') },
    repeat: { type: 'string', default: '1' },
  },
});
const WINDOW_MS = Number(values.window) * 1000;
const DISK_MB = Number(values['disk-mb']);
const CHOSEN = values.faults.split(',') as FaultKey[];
const REPEAT = Number(values.repeat);
for (const key of CHOSEN) if (!FAULT_KEYS.includes(key)) throw new Error(`unknown fault ${key}: one of ${FAULT_KEYS.join(', ')}`);
const REDIS_DOWN_MS = 5_000;
const DISK_FULL_MS = 10_000;
const CHAT_EVERY_MS = 2_000;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stdout.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const ORGANIZER_KEY = randomToken(24);
const CLUSTER_KEY = randomToken(24);
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-drill-'));
const originDir = path.join(work, 'origin');
const recordingsDir = path.join(originDir, 'recordings');
const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** A speech long enough for the whole drill, as an organizer would upload it. */
async function speechFile(): Promise<string> {
  const wav = path.join(work, 'speech.wav');
  const text = 'Friends, we are gathered here because our voices matter. The network may slow, but the rally goes on. ';
  await run('espeak-ng', ['-s', '150', '-w', wav, text.repeat(8)]);
  const m4a = path.join(work, 'speech.m4a');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', wav, '-t', '600', '-c:a', 'aac', '-b:a', '48k', m4a]);
  return m4a;
}

interface Fault {
  key: FaultKey;
  name: string;
  inject: () => Promise<Record<string, unknown>>;
}

interface Row {
  fault: string;
  webrtcSecondsLost: number;
  hlsSecondsLost: number;
  recordingSecondsLost: number;
  chatLost: number;
  notes: Record<string, unknown>;
}

try {
  const speech = await speechFile();
  await fs.mkdir(recordingsDir, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MB}m`, 'jalsa-drill', recordingsDir]);
  cleanups.push(() => run('umount', [recordingsDir]));
  let redis: TestRedis = await startRedis({ own: true });
  cleanups.push(() => redis.close());
  const redisPort = Number(new URL(redis.url).port);

  const originPort = await freeTcpPort();
  const originEnv = {
    DATA_DIR: originDir,
    PORT: String(originPort),
    MEDIASOUP_WORKERS: '2',
    REDIS_URL: redis.url,
    CLUSTER_KEY,
    ORGANIZER_KEY,
    SHUTDOWN_TIMEOUT_MS: '20000',
    LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? 'fatal',
    ...productionShedding,
  };
  let origin: ServerProcess = await startServerProcess(originEnv);
  cleanups.push(() => origin.stop());
  const edge = await startServerProcess({
    // A data directory of its own: left to the default (the project's `data/`), the edge's chat database
    // would carry the ids of earlier runs, and its reader of the fresh Redis would start past them.
    DATA_DIR: path.join(work, 'edge'),
    EDGE_ORIGIN_URL: origin.url,
    CLUSTER_KEY,
    REDIS_URL: redis.url,
    SERVE_CLIENT: 'false',
    LOG_LEVEL: originEnv.LOG_LEVEL,
    ...productionShedding,
  });
  cleanups.push(() => edge.stop());

  const { slug, eventKey } = await createEventOn(origin, ORGANIZER_KEY, 'Fault drill rally');
  /** The organizer: broadcasts the speech (after a worker's death the server plays it on by itself). */
  const broadcast = async () => {
    const response = await broadcastFileOn(origin, ORGANIZER_KEY, slug, speech);
    if (response.status !== 201) throw new Error(`file broadcast answered ${response.status}`);
  };
  let organizer: SignallingClient | undefined;
  const organizerJoins = async () => {
    organizer = await SignallingClient.connect(origin.url);
    await organizer.ok('join', { slug, key: eventKey });
  };
  await broadcast();
  await organizerJoins();
  cleanups.push(() => organizer?.close());
  const playlistOnDisk = () => fs.readFile(path.join(recordingsDir, slug, recordingFiles.audioPlaylist), 'utf8').catch(() => '');
  await waitFor(playlistOnDisk, (p) => timedSegments(p).length >= 2, 60_000, 500);

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  // tsx names functions with a helper the page lacks; the test helpers' page functions need it defined.
  await page.addInitScript('globalThis.__name = (f) => f');
  await trackPeerConnections(page);
  await page.goto(`${origin.url}/e/${slug}`);
  await waitFor(() => readPlayer(page), (v) => v.path === 'webrtc', 60_000, 500);
  const viewer = new WebRtcViewer(page);
  const follower = new HlsFollower(origin.url, slug);
  const chatters = [
    new Chatter(origin.url, slug, 'Ayesha'),
    new Chatter(origin.url, slug, 'Bilal'),
    new Chatter(edge.url, slug, 'Chandni'),
    new Chatter(edge.url, slug, 'Daniyal'),
  ];
  cleanups.push(() => chatters.forEach((c) => c.close()));
  viewer.start();
  follower.start();
  for (const chatter of chatters) chatter.start(CHAT_EVERY_MS);
  log(`live: ${origin.url}/e/${slug}, WebRTC viewer, HLS follower and 4 chatters attached`);
  await sleep(10_000);

  const faults: Fault[] = [
    {
      key: 'packager',
      name: 'kill -9 packager ffmpeg',
      inject: async () => {
        process.kill(await packagerFfmpegOf(origin), 'SIGKILL');
        return {};
      },
    },
    {
      key: 'worker',
      name: 'kill -9 mediasoup worker',
      inject: async () => {
        const [worker] = (await childProcesses(origin.pid, 'mediasoup-worke')).sort((a, b) => a - b);
        process.kill(worker!, 'SIGKILL');
        return {};
      },
    },
    {
      key: 'redis',
      name: 'kill -9 Redis (5 s)',
      inject: async () => {
        process.kill(redis.pid!, 'SIGKILL');
        await sleep(REDIS_DOWN_MS);
        redis = await startRedis({ own: true, port: redisPort });
        return { redisDownSeconds: REDIS_DOWN_MS / 1000 };
      },
    },
    {
      key: 'disk',
      name: `recording disk full (${DISK_FULL_MS / 1000} s)`,
      inject: async () => {
        const filler = path.join(recordingsDir, 'filler');
        await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M']).catch(() => undefined);
        await sleep(DISK_FULL_MS);
        await fs.rm(filler);
        return { tmpfsMb: DISK_MB };
      },
    },
    {
      key: 'sigterm',
      name: 'SIGTERM origin, start again',
      inject: async () => {
        const stopping = Date.now();
        process.kill(origin.pid, 'SIGTERM');
        const exit = await origin.exited;
        const stopSeconds = (Date.now() - stopping) / 1000;
        const finished = await playlistOnDisk();
        const endlistAtStop = finished.trimEnd().endsWith('#EXT-X-ENDLIST');
        organizer?.close();
        origin = await startServerProcess(originEnv);
        await broadcast();
        await organizerJoins();
        return { exitCode: exit.code, stopSeconds, endlistAtStop, downSeconds: (Date.now() - stopping) / 1000 };
      },
    },
  ];

  const windows: { fault: Fault; span: Span; notes: Record<string, unknown> }[] = [];
  const chosen = Array.from({ length: REPEAT }, () => CHOSEN.map((key) => faults.find((f) => f.key === key)!)).flat();
  for (const fault of chosen) {
    log(fault.name);
    const from = Date.now();
    const notes = await fault.inject();
    await sleep(Math.max(0, WINDOW_MS - (Date.now() - from)));
    windows.push({ fault, span: { from, to: Date.now() }, notes });
  }

  log('faults done: sending the last chat and ending the event');
  for (const chatter of chatters) chatter.stopSending();
  await waitFor(async () => chatters.reduce((n, c) => n + c.pending, 0), (n) => n === 0, 30_000, 500);
  await sleep(3_000);
  viewer.stop();
  follower.stop();
  await organizer!.ok('endEvent', {});
  const final = await waitFor(() => fetch(`${origin.url}${recordingUrls(slug).audioOnly}`).then((r) => r.text()), (p) => p.includes('#EXT-X-ENDLIST'), 30_000, 500);

  // The recording: every segment any listener got still listed, unchanged, and fetchable.
  const finalSegments = timedSegments(final);
  const listed = new Set(finalSegments.map((s) => s.uri));
  const segmentsLost = [...follower.segments.keys()].filter((uri) => !listed.has(uri));
  const segmentsRewritten = await follower.rewritten();
  const base = `${origin.url}${recordingUrls(slug).audioOnly.replace(/[^/]+$/, '')}`;
  const unreachable: string[] = [];
  for (const segment of finalSegments) if (!(await fetch(base + segment.uri)).ok) unreachable.push(segment.uri);
  const replays = (await (await fetch(`${origin.url}/api/replays`)).json()) as { replays: { slug: string; durationSeconds: number }[] };
  const replay = replays.replays.find((r) => r.slug === slug);
  const recordingWhole = final.trimEnd().endsWith('#EXT-X-ENDLIST') && unreachable.length === 0 && replay !== undefined && segmentsLost.length === 0;

  // Chat: every accepted message must be in the event's history and have reached every chatter.
  const stored = new Set<number>();
  for (let after: number | null | undefined; after !== null; ) {
    const query = after === undefined ? '' : `&after=${after}`;
    const chatPage = (await (await fetch(`${origin.url}/api/events/${slug}/chat?limit=500${query}`)).json()) as {
      messages: { id: number }[];
      next: number | null;
    };
    for (const message of chatPage.messages) stored.add(message.id);
    after = chatPage.next;
  }
  const accepted = chatters.flatMap((c) => [...c.accepted].map(([id, at]) => [id, at, c.name] as const));
  if (accepted.length === 0) throw new Error(`no chat message was accepted: ${JSON.stringify(chatters.map((c) => c.refusals))}`);
  const lostMessages = accepted.filter(([id]) => !stored.has(id) || chatters.some((c) => !c.seen.has(id)));

  const recordingGaps = timelineGaps(finalSegments);
  const rows: Row[] = windows.map(({ fault, span, notes }) => ({
    fault: fault.name,
    webrtcSecondsLost: secondsWithin(viewer.silences, span),
    hlsSecondsLost: secondsWithin(follower.gaps(), span),
    recordingSecondsLost: secondsWithin(recordingGaps, span),
    chatLost: lostMessages.filter(([, at]) => at >= span.from && at < span.to).length,
    notes,
  }));
  console.table(rows.map(({ notes, ...row }) => ({ ...row, notes: JSON.stringify(notes) })));
  await writeResult(values.faults === FAULT_KEYS.join(',') && REPEAT === 1 ? 'drill' : 'drill-partial', {
    command: `npm run drill -- --window ${WINDOW_MS / 1000} --disk-mb ${DISK_MB}${values.faults === FAULT_KEYS.join(',') ? '' : ` --faults ${values.faults}`}${REPEAT > 1 ? ` --repeat ${REPEAT}` : ''}`,
    setup:
      'origin (2 mediasoup workers, recordings on a tmpfs) + edge sharing chat through Redis; file broadcast of espeak-ng speech; ' +
      'WebRTC viewer = the watch page in Chromium (audio RTP bytes, or decoded audio if it fell back to HLS); ' +
      'HLS listener = Node follower of the audio-only rung (gaps in EXT-X-PROGRAM-DATE-TIME); 4 chatters (the app\'s ChatClient), 2 per process',
    windowSeconds: WINDOW_MS / 1000,
    faults: rows,
    viewerPaths: [...viewer.paths],
    segments: { recorded: finalSegments.length, followed: follower.segments.size, lost: segmentsLost.length, rewritten: segmentsRewritten.length, unreachable: unreachable.length },
    chat: {
      accepted: accepted.length,
      lost: lostMessages.length,
      lostDetail: lostMessages.slice(0, 20).map(([id, at, by]) => ({
        id,
        by,
        acceptedAt: new Date(at).toISOString(),
        stored: stored.has(id),
        unseenBy: chatters.filter((c) => !c.seen.has(id)).map((c) => c.name),
      })),
      refusals: Object.fromEntries(chatters.map((c) => [c.name, c.refusals])),
      timesOffline: Object.fromEntries(chatters.map((c) => [c.name, c.offline])),
      seen: Object.fromEntries(chatters.map((c) => [c.name, { messages: c.seen.size, own: c.accepted.size }])),
      // What the connection of each chatter that missed messages went through, to tell why.
      timelines: Object.fromEntries(
        chatters.filter((c) => lostMessages.some(([id]) => !c.seen.has(id))).map((c) => [c.name, c.timeline]),
      ),
    },
    recording: { whole: recordingWhole, listedAsReplay: replay !== undefined, durationSeconds: replay?.durationSeconds ?? null },
  });
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((error: unknown) => log(`cleanup: ${String(error)}`));
  await fs.rm(work, { recursive: true, force: true });
}
