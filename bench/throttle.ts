/**
 * npm run bench:throttle [-- --good 20 --collapse 40 --recover 60] [--low 40/400] [--players ours,stock] [--cold no] [--name throttle]
 * The same network profile, run twice in one go: Jalsa's watch page (HLS path: the server has no WebRTC
 * seat) and a plain hls.js player with default settings on the same ladder (a tiny page served here,
 * same origin as the HLS files). Profile: good (1.5 Mbps, 40 ms) → collapse (40 kbps, 400 ms) → good,
 * shaped by Chromium's network emulation after the page has loaded. Then a cold load of each page at
 * 64 kbps / 400 ms, to the first decoded sound. Writes bench/results/throttle.json.
 *
 * `--low 30/800` replaces the collapse with another link (kbps/ms), e.g. the EDGE-like profile; `--players`
 * and `--cold no` run only part of it; `--name` writes bench/results/<name>.json instead. `--audio-only yes`
 * has our page's listener ask for sound only before the link drops, so the low phase measures the audio
 * rung alone, without the video-to-audio handover. `lowPhaseBytes` says where the low phase's bytes went.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { recordingUrls } from '../shared/recordingLayout';
import { launchChromium } from '../test/helpers/browser';
import { waitForLadder } from '../test/helpers/ladder';
import { COLLAPSE, GOOD, applyNetworkProfile, type NetworkProfile } from '../test/helpers/network';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../test/helpers/testServer';
import { coldLoad, countBytes } from './coldLoad';
import { writeResult } from './writeResult';

const { values } = parseArgs({
  options: {
    good: { type: 'string', default: '20' },
    collapse: { type: 'string', default: '40' },
    recover: { type: 'string', default: '60' },
    low: { type: 'string', default: `${COLLAPSE.kbps}/${COLLAPSE.latencyMs}` },
    players: { type: 'string', default: 'ours,stock' },
    cold: { type: 'string', default: 'yes' },
    name: { type: 'string', default: 'throttle' },
    'audio-only': { type: 'string', default: 'no' },
  },
});
const phases = { good: Number(values.good), collapse: Number(values.collapse), recover: Number(values.recover) };
const [lowKbps, lowLatencyMs] = values.low.split('/').map(Number);
const LOW: NetworkProfile = { kbps: lowKbps!, latencyMs: lowLatencyMs! };
const players = new Set(values.players.split(','));
const COLD: NetworkProfile = { kbps: 64, latencyMs: 400 };
const SAMPLE_MS = 250;
/** Video counts as back once it has played this long without a stall. */
const STEADY_SECONDS = 2;
/** Gives up on a cold load that has not produced sound by then. */
const COLD_LOAD_LIMIT_MS = 120_000;

interface Figures {
  /** Bytes received during the low phase, by what they were (headers included), e.g. speech segments, playlists. */
  lowPhaseBytes: Record<string, number>;
  stallSeconds: number;
  longestStallSeconds: number;
  /** Stalled once the page had gone audio-only on the low link: what the audio rung itself cannot carry. */
  stallSecondsInAudioOnly: number | null;
  secondsToAudioOnly: number | null;
  secondsBackToVideo: number | null;
  bytes: number;
  firstAudioSecondsAt64kbps: number | null;
}

/** What the page plays, read the same way for both players: the element that is playing, whichever it is. */
interface Sample {
  at: number;
  /** Media time of the playing element, null when none plays. */
  time: number | null;
  video: boolean;
  videoBytes: number;
  audioBytes: number;
  /** Our page says which mode it is in; the stock page has no audio-only mode. */
  mode: string | null;
}

// A string, so that no helper the bundler adds to named functions has to exist in the page.
const SAMPLE_SCRIPT = `(() => {
  const elements = [...document.querySelectorAll('video, audio')];
  const playing = elements.find((e) => !e.paused && !e.ended && e.readyState > 0) ?? null;
  const sum = (key) => elements.reduce((total, e) => total + (e[key] ?? 0), 0);
  return {
    time: playing ? playing.currentTime : null,
    video: playing !== null && playing.tagName === 'VIDEO',
    videoBytes: sum('webkitVideoDecodedByteCount'),
    audioBytes: sum('webkitAudioDecodedByteCount'),
    mode: document.querySelector('[data-testid="playback-mode"]')?.dataset.mode ?? null,
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
  return 'other';
}

/** Bytes received per category from now until the returned function is called (it returns the sums). */
function bytesByCategory(cdp: CDPSession): () => Record<string, number> {
  const urls = new Map<string, string>();
  const totals: Record<string, number> = {};
  let open = true;
  const add = (requestId: string, bytes: number) => {
    const name = category(urls.get(requestId) ?? 'http://x/other');
    if (open) totals[name] = (totals[name] ?? 0) + bytes;
  };
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => urls.set(requestId, request.url));
  cdp.on('Network.dataReceived', ({ requestId, encodedDataLength }) => add(requestId, encodedDataLength));
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    if (open) totals['socket.io'] = (totals['socket.io'] ?? 0) + response.payloadData.length;
  });
  return () => {
    open = false;
    return totals;
  };
}

async function sample(page: Page): Promise<Sample> {
  return { at: Date.now(), ...((await page.evaluate(SAMPLE_SCRIPT)) as Omit<Sample, 'at'>) };
}

/** Samples the page until `until`, appending to `samples`. */
async function record(page: Page, samples: Sample[], until: number): Promise<void> {
  while (Date.now() < until) {
    samples.push(await sample(page));
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
}

/** Time in which playback had started but media time stood still: in all, and the longest stretch. */
function stalls(samples: Sample[]): { total: number; longest: number } {
  let total = 0;
  let longest = 0;
  let stretch = 0;
  let started = false;
  for (let i = 1; i < samples.length; i++) {
    const [previous, current] = [samples[i - 1]!, samples[i]!];
    if (previous.time !== null && previous.time > 0) started = true;
    if (!started) continue;
    const advanced = current.time !== null && previous.time !== null && current.time - previous.time > 0.05;
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
  const start = samples[i]!;
  if (!start.video || start.mode === 'audio') return false;
  for (let j = i + 1; j < samples.length && samples[j]!.at - start.at <= STEADY_SECONDS * 1000; j++) {
    const [previous, current] = [samples[j - 1]!, samples[j]!];
    if (!current.video || current.time === null || previous.time === null || current.time - previous.time <= 0.05) return false;
    if (current.videoBytes < previous.videoBytes) return false;
  }
  return samples.at(-1)!.at - start.at > STEADY_SECONDS * 1000 && samples.at(-1)!.videoBytes > start.videoBytes;
}

async function runProfile(browser: Browser, url: string, audioOnly: boolean): Promise<Omit<Figures, 'firstAudioSecondsAt64kbps'>> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const bytes = countBytes(cdp);
    await applyNetworkProfile(cdp, GOOD);
    const samples: Sample[] = [];
    const collapseAt = Date.now() + phases.good * 1000;
    if (audioOnly) await page.getByTestId('audio-only-toggle').check({ timeout: 30_000 });
    await record(page, samples, collapseAt);
    const lowPhase = bytesByCategory(cdp);
    await applyNetworkProfile(cdp, LOW);
    const recoverAt = Date.now() + phases.collapse * 1000;
    await record(page, samples, recoverAt);
    const lowPhaseBytes = lowPhase();
    await applyNetworkProfile(cdp, GOOD);
    await record(page, samples, Date.now() + phases.recover * 1000);
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
      bytes: bytes(),
    };
  } finally {
    await page.close();
  }
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value);
}

const test = await startTestServer({ WEBRTC_SEATS_PER_WORKER: '0', MEDIASOUP_WORKERS: '1' });
const stock = await serveStockPlayer(test);
let browser: Browser | undefined;
try {
  const { slug } = await createEvent(test, 'Throttle benchmark');
  const publisher = await publishTestPattern(test, slug);
  try {
    await waitForLadder(test, slug);
    browser = await launchChromium();
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
    await writeResult(values.name, {
      ...results,
      profile: {
        good: `${GOOD.kbps} kbps, ${GOOD.latencyMs} ms`,
        collapse: `${LOW.kbps} kbps, ${LOW.latencyMs} ms`,
        cold: `${COLD.kbps} kbps, ${COLD.latencyMs} ms`,
        seconds: phases,
        shaping: 'Chromium network emulation (CDP Network.emulateNetworkConditions)',
      },
    });
  } finally {
    publisher.close();
  }
} finally {
  await browser?.close();
  await stock.close();
  await test.close();
}
