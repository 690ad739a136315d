/**
 * npm run bench:throttle [-- --good 20 --collapse 40 --recover 60] [--low 40/400] [--players ours,ourWebrtc,stock] [--udp 8] [--cold no] [--name throttle]
 * The same network profile, run three times in one go: Jalsa's watch page on the HLS path (the server has
 * no WebRTC seat), the same page on the WebRTC path, and a plain hls.js player with default settings on
 * the same ladder (a tiny page served here, same origin as the HLS files). Profile: good (1.5 Mbps, 40 ms)
 * → collapse (40 kbps, 400 ms) → good, shaped after the page has loaded: by Chromium's network emulation
 * on the HLS paths, and for the WebRTC path (which that emulation does not reliably shape) by `tc` on a
 * network namespace Chromium runs in — a rate and a queue both ways, without the added delay (no netem
 * here). Then a cold load of each HLS page at 64 kbps / 400 ms, to the first decoded sound. Writes
 * bench/results/throttle.json.
 *
 * `--low 30/800` replaces the collapse with another link (kbps/ms), e.g. the EDGE-like profile; `--flap 1200/10`
 * makes the low phase flap: the low link and this one (kbps, at the good link's delay) every 10 s, low first; `--udp 8`
 * leaves UDP only 8 kbps of the low link on the WebRTC path (a censor squeezing UDP, TCP keeping its room:
 * WebRTC's sound cannot pass, HLS's can; `secondsToHls` says when the sound came from HLS); `--players`
 * and `--cold no` run only part of it. The figures go to bench/results/throttle.json as
 * `{ profiles: { <--profile>: { ours, ourWebrtc, stock, link } } }`, next to the other profiles (and the
 * players not run) kept there; `--name` writes bench/results/<name>.json instead. `--audio-only yes`
 * has our page's listener ask for sound only before the link drops, so the low phase measures the audio
 * rung alone, without the video-to-audio handover. A rally's chat runs throughout (`--chat 20` messages a
 * second, 0 for none), as the attendees of a real one would see it; `chatBytes` is what it cost each page. `lowPhaseBytes` says where the low phase's bytes went.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { recordingUrls } from '../shared/recordingLayout';
import { inboundTotals, launchChromium, trackPeerConnections, type InboundTotals } from '../test/helpers/browser';
import { appendMessages } from '../test/helpers/ChatTestClient';
import { waitForLadder } from '../test/helpers/ladder';
import { COLLAPSE, GOOD, applyNetworkProfile, type NetworkProfile } from '../test/helpers/network';
import { QUEUE_LATENCY_MS, ShapedNamespace } from '../test/helpers/shapedNamespace';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../test/helpers/testServer';
import { coldLoad, countBytes } from './coldLoad';
import { readResult, writeResult } from './writeResult';

const { values } = parseArgs({
  options: {
    good: { type: 'string', default: '20' },
    collapse: { type: 'string', default: '40' },
    recover: { type: 'string', default: '60' },
    low: { type: 'string', default: `${COLLAPSE.kbps}/${COLLAPSE.latencyMs}` },
    players: { type: 'string', default: 'ours,ourWebrtc,stock' },
    cold: { type: 'string', default: 'yes' },
    name: { type: 'string', default: 'throttle' },
    profile: { type: 'string', default: 'collapse' },
    'audio-only': { type: 'string', default: 'no' },
    flap: { type: 'string' },
    chat: { type: 'string', default: '20' },
    udp: { type: 'string' },
  },
});
const phases = { good: Number(values.good), collapse: Number(values.collapse), recover: Number(values.recover) };
const [lowKbps, lowLatencyMs] = values.low.split('/').map(Number);
const LOW: ShapedProfile = { kbps: lowKbps!, latencyMs: lowLatencyMs!, udpKbps: values.udp ? Number(values.udp) : undefined };
const [flapKbps, flapSeconds] = values.flap?.split('/').map(Number) ?? [];
const FLAP = flapKbps ? { profile: { kbps: flapKbps, latencyMs: GOOD.latencyMs }, seconds: flapSeconds ?? 10 } : null;
const players = new Set(values.players.split(','));
const CHAT_PER_SECOND = Number(values.chat);
/** Typical lines of a rally's chat, sent in turn. */
const CHAT_LINES = [
  'Zindabad! Listening from Lahore, the sound is clear',
  'Video stopped here but I can hear every word',
  'Salam from Karachi, thousands of us watching',
  'Please repeat the last point, my network dropped',
  'We are with you. Long live the movement!',
];
const COLD: NetworkProfile = { kbps: 64, latencyMs: 400 };
const SAMPLE_MS = 250;
/** Video counts as back once it has played this long without a stall. */
const STEADY_SECONDS = 2;
/** Gives up on a cold load that has not produced sound by then. */
const COLD_LOAD_LIMIT_MS = 120_000;
/** A stretch of WebRTC playout counts as stalled when more than this share of its sound was concealment. */
const CONCEALED_STALL_SHARE = 0.5;

interface Figures {
  /** Bytes received during the low phase, by what they were (headers included), e.g. speech segments, playlists. */
  lowPhaseBytes: Record<string, number>;
  stallSeconds: number;
  longestStallSeconds: number;
  /** Stalled once the page had gone audio-only on the low link: what the audio rung itself cannot carry. */
  stallSecondsInAudioOnly: number | null;
  secondsToAudioOnly: number | null;
  secondsBackToVideo: number | null;
  /** On the WebRTC path: from the drop until the sound came from HLS (the attendee moved there); null when it never did. */
  secondsToHls: number | null;
  /** Switches between video and audio-only over the whole run (our page only). */
  modeChanges: number | null;
  /**
   * Our page's mode decisions, each as the page recorded it (`<count> <mode> <rule>: <figures>`, see
   * PlaybackState.modeDecision), with when it was first seen, in seconds from the drop.
   */
  modeDecisions: Changes;
  /** Our page's delivery path (and why HLS), each as first seen, in seconds from the drop. */
  pathChanges: Changes;
  /** What the chat's frames cost the page (socket.io), over the whole run. */
  chatBytes: number;
  /**
   * A character a second from the first sample on: W/w WebRTC with/without video, V/a HLS video/audio-only,
   * `.` a second with a stall in it; `|` marks where the link dropped and where it came back.
   */
  timeline: string;
  /** Everything received: HTTP (headers included) and, on the WebRTC path, RTP payloads. */
  bytes: number;
  firstAudioSecondsAt64kbps: number | null;
}

/** What the page plays, read the same way for both players: the element that is playing, whichever it is. */
interface Sample {
  at: number;
  /** Media time of the playing element, null when none plays. */
  time: number | null;
  /**
   * Which element plays: media times are compared within one element only. Our page's audio element
   * plays in event time, its video element on hls.js's own timeline, which starts at the live window:
   * compared across a switch to video, the time went back, and each return to video counted a stall.
   */
  element: string | null;
  video: boolean;
  videoBytes: number;
  audioBytes: number;
  /** Our page says which mode it is in; the stock page has no audio-only mode. */
  mode: string | null;
  /** Our page's last mode decision and the rule that made it. */
  decision: string | null;
  /** Our page's delivery path, and on HLS its reason. */
  path: string | null;
  /** The playing element plays a WebRTC stream, whose media time runs on whether sound comes or not. */
  live: boolean;
  /** The page's inbound RTP, on the WebRTC path. */
  rtp: InboundTotals | null;
}

// A string, so that no helper the bundler adds to named functions has to exist in the page.
const SAMPLE_SCRIPT = `(() => {
  const elements = [...document.querySelectorAll('video, audio')];
  const playing = elements.find((e) => !e.paused && !e.ended && e.readyState > 0) ?? null;
  const sum = (key) => elements.reduce((total, e) => total + (e[key] ?? 0), 0);
  return {
    time: playing ? playing.currentTime : null,
    element: playing ? playing.tagName + ' ' + (playing.dataset.testid ?? '') : null,
    // Our page hides the video element in audio-only mode; over WebRTC it may still play there.
    video: elements.some((e) => e.tagName === 'VIDEO' && !e.hidden && !e.paused && !e.ended && e.readyState > 0),
    videoBytes: sum('webkitVideoDecodedByteCount'),
    audioBytes: sum('webkitAudioDecodedByteCount'),
    mode: document.querySelector('[data-testid="playback-mode"]')?.dataset.mode ?? null,
    decision: document.querySelector('[data-testid="playback-mode"]')?.dataset.decision ?? null,
    path: ((e) => e ? [e.dataset.path, e.dataset.reason].filter(Boolean).join(' ') : null)(document.querySelector('[data-testid="delivery-path"]')),
    live: playing !== null && playing.srcObject instanceof MediaStream,
  };
})()`;

const STOCK_PAGE = `<!doctype html><meta charset="utf-8"><title>stock hls.js</title>
<video autoplay playsinline style="width:640px"></video>
<script src="/hls.min.js"></script>
<script>
  const video = document.querySelector('video');
  const hls = new Hls();
  hls.loadSource(new URLSearchParams(location.search).get('src'));
  hls.attachMedia(video);
  video.play().catch(() => {});
</script>`;

/**
 * Serves the stock page and hls.js itself (gzipped, as a CDN would), and passes everything else on to
 * the Jalsa server, so that the stock player reads the same HLS files from its own origin.
 */
async function serveStockPlayer(test: TestServer): Promise<{ url: string; close(): Promise<void> }> {
  const hlsJs = gzipSync(await fs.readFile(path.join(import.meta.dirname, '../node_modules/hls.js/dist/hls.min.js')));
  const origin = new URL(test.url);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/stock.html')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(STOCK_PAGE);
    } else if (req.url === '/hls.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'content-encoding': 'gzip' }).end(hlsJs);
    } else {
      const upstream = http.request(
        { host: origin.hostname, port: origin.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What a response was, from its URL: the figures say which rung's bytes the link carried. */
function category(url: string): string {
  const { pathname } = new URL(url);
  const rung = /\/runs\/\d+\/([^/]+)\//.exec(pathname)?.[1];
  if (rung) return `${rung} segments`;
  if (pathname.endsWith('.m3u8')) return 'playlists';
  if (pathname.endsWith('.jpg')) return 'poster';
  if (pathname.startsWith('/socket.io/')) return 'socket.io';
  // Named by its path: tens of kilobytes of "other" in some low phases were never explained.
  return `other ${pathname}`;
}

/** Every request's URL by id, from the page's first request on: a later tally names what began before it. */
function requestUrls(cdp: CDPSession): Map<string, string> {
  const urls = new Map<string, string>();
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => urls.set(requestId, request.url));
  return urls;
}

/** Bytes received per category from now until the returned function is called (it returns the sums). */
function bytesByCategory(cdp: CDPSession, urls: Map<string, string>): () => Record<string, number> {
  const totals: Record<string, number> = {};
  let open = true;
  const add = (requestId: string, bytes: number) => {
    const name = category(urls.get(requestId) ?? 'http://x/other');
    if (open && bytes > 0) totals[name] = (totals[name] ?? 0) + bytes;
  };
  cdp.on('Network.dataReceived', ({ requestId, encodedDataLength }) => add(requestId, encodedDataLength));
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    if (open) totals['socket.io'] = (totals['socket.io'] ?? 0) + response.payloadData.length;
  });
  return () => {
    open = false;
    return totals;
  };
}

async function sample(page: Page, webrtc: boolean): Promise<Sample> {
  const at = Date.now();
  const played = (await page.evaluate(SAMPLE_SCRIPT)) as Omit<Sample, 'at' | 'rtp'>;
  return { at, ...played, rtp: webrtc ? await inboundTotals(page) : null };
}

/** Samples the page until `until`, appending to `samples`. */
async function record(page: Page, samples: Sample[], until: number, webrtc: boolean): Promise<void> {
  while (Date.now() < until) {
    samples.push(await sample(page, webrtc));
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
}

/**
 * Whether sound went on between two samples. An HLS element's media time stands still in a stall; a
 * WebRTC element's runs on regardless, so there the receiver's concealed samples (sound made up for
 * packets that did not come) tell instead.
 */
function soundAdvanced(previous: Sample, current: Sample): boolean {
  if (current.live && previous.live && current.rtp && previous.rtp) {
    const played = current.rtp.audioSamples - previous.rtp.audioSamples;
    const concealed = current.rtp.audioConcealedSamples - previous.rtp.audioConcealedSamples;
    // Fewer samples than before: a connection closed in between, which says nothing about the sound.
    if (played < 0) return true;
    return played > 0 && concealed / played <= CONCEALED_STALL_SHARE;
  }
  if (current.time === null || previous.time === null) return false;
  // Another element took over: whether it plays is told by the samples that follow.
  if (current.element !== previous.element) return true;
  return current.time - previous.time > 0.05;
}

/** RTP bytes received over the samples: the growth of the totals, each closed connection's bytes kept. */
function rtpBytes(samples: Sample[]): number {
  let bytes = 0;
  for (let i = 1; i < samples.length; i++) {
    const [previous, current] = [samples[i - 1]!.rtp, samples[i]!.rtp];
    if (!previous || !current) continue;
    bytes += Math.max(0, current.audioBytes + current.videoBytes - previous.audioBytes - previous.videoBytes);
  }
  return bytes;
}

/** Time in which playback had started but the sound stood still: in all, and the longest stretch. */
function stalls(samples: Sample[]): { total: number; longest: number } {
  let total = 0;
  let longest = 0;
  let stretch = 0;
  let started = false;
  for (let i = 1; i < samples.length; i++) {
    const [previous, current] = [samples[i - 1]!, samples[i]!];
    if (previous.time !== null && previous.time > 0) started = true;
    if (!started) continue;
    const advanced = soundAdvanced(previous, current);
    stretch = advanced ? 0 : stretch + (current.at - previous.at) / 1000;
    if (!advanced) total += (current.at - previous.at) / 1000;
    longest = Math.max(longest, stretch);
  }
  return { total, longest };
}

function secondsUntil(samples: Sample[], from: number, test: (s: Sample, i: number) => boolean): number | null {
  const index = samples.findIndex((s, i) => s.at >= from && test(s, i));
  return index === -1 ? null : (samples[index]!.at - from) / 1000;
}

/** Video decoding and media time advancing without a stall for STEADY_SECONDS from sample i on. */
function videoSteadyFrom(samples: Sample[], i: number): boolean {
  // Chromium counts decoded bytes of media it downloaded; over WebRTC, the video RTP received tells.
  const videoBytes = (s: Sample) => (s.live && s.rtp ? s.rtp.videoBytes : s.videoBytes);
  const start = samples[i]!;
  if (!start.video || start.mode === 'audio') return false;
  for (let j = i + 1; j < samples.length && samples[j]!.at - start.at <= STEADY_SECONDS * 1000; j++) {
    const [previous, current] = [samples[j - 1]!, samples[j]!];
    if (!current.video || current.time === null || previous.time === null || current.time - previous.time <= 0.05) return false;
    if (videoBytes(current) < videoBytes(previous)) return false;
  }
  return samples.at(-1)!.at - start.at > STEADY_SECONDS * 1000 && videoBytes(samples.at(-1)!) > videoBytes(start);
}

/** A link, and on the WebRTC path what it leaves UDP (`--udp`: a censor squeezing UDP; the whole link when absent). */
type ShapedProfile = NetworkProfile & { udpKbps?: number };

/** Shapes the link a page's traffic takes to a profile: set before the page loads, and at each phase. */
type Shaper = (profile: ShapedProfile) => Promise<unknown>;

/**
 * Plays `url` through the profile's phases. Without a `shaper`, Chromium's emulation shapes the page (the
 * HLS paths); with one, the page is on the WebRTC path, shaped outside the browser.
 */
async function runProfile(
  browser: Browser,
  url: string,
  audioOnly: boolean,
  shaper?: Shaper,
): Promise<Omit<Figures, 'firstAudioSecondsAt64kbps'>> {
  const page = await browser.newPage();
  try {
    const webrtc = shaper !== undefined;
    if (webrtc) await trackPeerConnections(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = requestUrls(cdp);
    const shape: Shaper = shaper ?? ((profile) => applyNetworkProfile(cdp, profile));
    // tc shapes from the first packet on; the emulation, as before, once the page has loaded.
    if (webrtc) await shape(GOOD);
    await page.goto(url);
    const bytes = countBytes(cdp);
    const allBytes = bytesByCategory(cdp, urls);
    if (!webrtc) await shape(GOOD);
    const samples: Sample[] = [];
    const collapseAt = Date.now() + phases.good * 1000;
    if (audioOnly) await page.getByTestId('audio-only-toggle').check({ timeout: 30_000 });
    await record(page, samples, collapseAt, webrtc);
    const lowPhase = bytesByCategory(cdp, urls);
    const recoverAt = Date.now() + phases.collapse * 1000;
    for (let flapped = false; Date.now() < recoverAt; flapped = !flapped) {
      await shape(flapped && FLAP ? FLAP.profile : LOW);
      await record(page, samples, FLAP ? Math.min(recoverAt, Date.now() + FLAP.seconds * 1000) : recoverAt, webrtc);
    }
    const lowPhaseBytes = lowPhase();
    const lowSamples = samples.filter((s) => s.at >= collapseAt);
    if (webrtc) lowPhaseBytes.rtp = rtpBytes(lowSamples);
    await shape(GOOD);
    await record(page, samples, Date.now() + phases.recover * 1000, webrtc);
    const { total, longest } = stalls(samples);
    const audioOnlyAt = samples.findIndex((s) => s.at >= collapseAt && s.at < recoverAt && s.mode === 'audio' && !s.video);
    const inAudioOnly = audioOnlyAt === -1 ? null : stalls(samples.slice(audioOnlyAt).filter((s) => s.at < recoverAt)).total;
    return {
      lowPhaseBytes,
      stallSeconds: round(total),
      longestStallSeconds: round(longest),
      stallSecondsInAudioOnly: roundOrNull(inAudioOnly),
      secondsToAudioOnly: roundOrNull(
        secondsUntil(samples, collapseAt, (s) => s.at < recoverAt && s.mode === 'audio' && s.time !== null && !s.video),
      ),
      secondsBackToVideo: roundOrNull(secondsUntil(samples, recoverAt, (_s, i) => videoSteadyFrom(samples, i))),
      secondsToHls: webrtc ? roundOrNull(secondsUntil(samples, collapseAt, (s) => s.time !== null && !s.live)) : null,
      modeChanges: modeChanges(samples),
      modeDecisions: changes(samples, collapseAt, 'decision'),
      pathChanges: changes(samples, collapseAt, 'path'),
      chatBytes: allBytes()['socket.io'] ?? 0,
      timeline: timeline(samples, [collapseAt, recoverAt]),
      bytes: bytes() + rtpBytes(samples),
    };
  } finally {
    await page.close();
  }
}

function timeline(samples: Sample[], marks: number[]): string {
  let line = '';
  let second: Sample[] = [];
  const flush = () => {
    const last = second.at(-1);
    if (!last) return;
    const stalled = second.some((s, i) => i > 0 && !soundAdvanced(second[i - 1]!, s));
    const video = last.video && last.mode !== 'audio';
    line += stalled ? '.' : last.live ? (video ? 'W' : 'w') : video ? 'V' : 'a';
    second = [second.at(-1)!];
  };
  let mark = 0;
  for (const s of samples) {
    second.push(s);
    if (s.at - second[0]!.at >= 1000) flush();
    if (mark < marks.length && s.at >= marks[mark]!) {
      line += '|';
      mark += 1;
    }
  }
  return line;
}

/** How often our page's mode (video, audio) changed; null for a page that has none. */
function modeChanges(samples: Sample[]): number | null {
  const modes = samples.map((s) => s.mode).filter((mode) => mode !== null);
  if (modes.length === 0) return null;
  return modes.filter((mode, i) => i > 0 && mode !== modes[i - 1]).length;
}

type Changes = Array<{ atSeconds: number; value: string }>;

/** Each value the page showed for `key`, once, at the first sample that showed it. */
function changes(samples: Sample[], collapseAt: number, key: 'decision' | 'path'): Changes {
  const seen: Changes = [];
  let last: string | null = null;
  for (const { at, [key]: value } of samples) {
    if (value !== null && value !== last) seen.push({ atSeconds: round((at - collapseAt) / 1000), value });
    last = value;
  }
  return seen;
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value);
}

/** A server with an event going live, speaking through the ladder, for the length of `run`. */
async function withSpeakingEvent<T>(env: Record<string, string>, run: (test: TestServer, slug: string) => Promise<T>): Promise<T> {
  const test = await startTestServer({ MEDIASOUP_WORKERS: '1', ...env });
  try {
    const { slug } = await createEvent(test, 'Throttle benchmark');
    const publisher = await publishTestPattern(test, slug);
    const chat = startChat(test, slug);
    try {
      await waitForLadder(test, slug);
      return await run(test, slug);
    } finally {
      chat.stop();
      publisher.close();
    }
  } finally {
    await test.close();
  }
}

/** Posts CHAT_PER_SECOND messages a second to the event's chat (straight into its log, as many attendees would). */
function startChat(test: TestServer, slug: string): { stop(): void } {
  const start = Date.now();
  let sent = 0;
  let failures = 0;
  const timer = setInterval(() => {
    const texts: string[] = [];
    for (const due = Math.floor(((Date.now() - start) * CHAT_PER_SECOND) / 1000); sent < due; sent++) {
      texts.push(CHAT_LINES[sent % CHAT_LINES.length]!);
    }
    if (texts.length === 0) return;
    appendMessages(test.server.chat, slug, texts).catch((error: unknown) => {
      if (failures++ === 0) process.stderr.write(`chat: a message was not appended (${String(error)})\n`);
    });
  }, 50);
  return { stop: () => clearInterval(timer) };
}

/** Our page and stock hls.js, HLS only (the server has no WebRTC seat), shaped by Chromium's emulation. */
async function runHlsPlayers(): Promise<Record<string, Figures>> {
  return withSpeakingEvent({ WEBRTC_SEATS_PER_WORKER: '0' }, async (test, slug) => {
    const stock = await serveStockPlayer(test);
    const browser = await launchChromium();
    try {
      const pages = {
        ours: `${test.url}/e/${slug}`,
        stock: `${stock.url}/stock.html?src=${encodeURIComponent(recordingUrls(slug).master)}`,
      };
      const results: Record<string, Figures> = {};
      for (const [name, url] of Object.entries(pages).filter(([name]) => players.has(name))) {
        process.stdout.write(`${name}: profile ${phases.good} s good, ${phases.collapse} s collapse, ${phases.recover} s good…\n`);
        // Only our page has an audio-only mode to ask for.
        const profile = await runProfile(browser, url, values['audio-only'] === 'yes' && name === 'ours');
        let cold = null;
        if (values.cold !== 'no') {
          process.stdout.write(`${name}: cold load at 64 kbps…\n`);
          cold = await coldLoad(browser, url, COLD, COLD_LOAD_LIMIT_MS);
        }
        results[name] = { ...profile, firstAudioSecondsAt64kbps: cold?.firstSoundSeconds ?? null };
      }
      return results;
    } finally {
      await browser.close();
      await stock.close();
    }
  });
}

/**
 * Our page on the WebRTC path: Chromium in a network namespace shaped with `tc`, the server on the host
 * (the page is a secure context by Chromium's flag, as it would be over HTTPS).
 */
async function runWebrtcPlayer(): Promise<Figures> {
  const shaped = await ShapedNamespace.create();
  try {
    return await withSpeakingEvent(shaped.serverEnv(), async (test, slug) => {
      const origin = `http://${shaped.hostAddress}:${test.server.port}`;
      const browser = await shaped.launchChromium(origin);
      try {
        process.stdout.write(`ourWebrtc: profile ${phases.good} s good, ${phases.collapse} s collapse, ${phases.recover} s good…\n`);
        const shape: Shaper = ({ kbps, udpKbps }) => Promise.all([shaped.shapeDownlink(kbps, udpKbps), shaped.shapeUplink(kbps, udpKbps)]);
        const profile = await runProfile(browser, `${origin}/e/${slug}`, values['audio-only'] === 'yes', shape);
        // A cold load is the HLS paths' figure: a page's first sound over WebRTC waits for no playlist.
        return { ...profile, firstAudioSecondsAt64kbps: null };
      } finally {
        await browser.close();
      }
    });
  } finally {
    // Whatever else failed: the namespace outlives this process otherwise.
    await shaped.close();
  }
}

const results: Record<string, Figures> = players.has('ours') || players.has('stock') ? await runHlsPlayers() : {};
if (players.has('ourWebrtc')) results.ourWebrtc = await runWebrtcPlayer();
const kept = (await readResult(values.name)) as { profiles?: Record<string, Record<string, unknown>> } | null;
await writeResult(values.name, {
  profiles: {
    ...kept?.profiles,
    [values.profile]: {
      // A run of some of the players (`--players`) replaces their figures only: the others' stay.
      ...kept?.profiles?.[values.profile],
      ...results,
      link: {
        good: `${GOOD.kbps} kbps, ${GOOD.latencyMs} ms`,
        low: `${LOW.kbps} kbps, ${LOW.latencyMs} ms${LOW.udpKbps === undefined ? '' : `, UDP ${LOW.udpKbps} kbps on the WebRTC path`}`,
        flap: FLAP && `${FLAP.profile.kbps} kbps, ${FLAP.profile.latencyMs} ms, every ${FLAP.seconds} s with the low link`,
        cold: `${COLD.kbps} kbps, ${COLD.latencyMs} ms`,
        seconds: phases,
        chatMessagesPerSecond: CHAT_PER_SECOND,
      },
    },
  },
  shaping: {
    hls: 'Chromium network emulation (CDP Network.emulateNetworkConditions)',
    webrtc: `tc tbf both ways on a network namespace Chromium runs in (the rate only, queue ${QUEUE_LATENCY_MS} ms, no added delay)`,
    webrtcStall: `a ${SAMPLE_MS} ms sample in which more than ${CONCEALED_STALL_SHARE} of the WebRTC receiver's sound was concealment`,
  },
});
