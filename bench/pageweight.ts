/**
 * npm run bench:pageweight   (measures the built client: run `npm run build:client` first)
 * Bytes Chromium transfers for the Watch page of a live event against a real server: the first visit
 * (empty cache; HTML, JS and CSS as sent, gzip included), the chunks each delivery path adds (hls.js
 * for HLS, mediasoup-client for WebRTC, each loaded only when chosen), and a repeat visit served by
 * the service worker. Then a first visit on a 64 kbps / 300 ms link (Chromium's network emulation from the
 * first request): seconds to the first decoded sound and every byte received before it (the boot script's
 * path: HTML, boot script, live window, init and first segments). Writes bench/results/pageweight.json.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, waitFor } from '../test/helpers/browser';
import { waitForLadder } from '../test/helpers/ladder';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../test/helpers/testServer';
import type { NetworkProfile } from '../test/helpers/network';
import { readPlayer } from '../test/helpers/watchPage';
import { coldLoad } from './coldLoad';
import { writeResult } from './writeResult';

/**
 * What makes up a page: its document and its built scripts and stylesheets (not media, API calls or
 * signalling). Assets go by path: module preloads of lazy chunks are not typed as scripts.
 */
const isPage = ({ type, path }: { type: string; path: string }) => type === 'Document' || path.startsWith('/assets/');

interface Transfer {
  path: string;
  bytes: number;
}

/** Loads the page in the context until it plays, and lists the page resources it transferred. */
async function load(context: BrowserContext, url: string): Promise<Transfer[]> {
  const page = await context.newPage();
  await page.addInitScript('window.__name = (f) => f');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const types = new Map<string, { path: string; type: string }>();
  const transfers: Transfer[] = [];
  cdp.on('Network.requestWillBeSent', ({ requestId, request, type }) => {
    // The two servers' events have different slugs: the page is the same.
    types.set(requestId, { path: new URL(request.url).pathname.replace(/^\/e\/.+/, '/e/:slug'), type: type ?? '' });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const request = types.get(requestId);
    if (request && isPage(request)) transfers.push({ path: request.path, bytes: encodedDataLength });
  });
  await page.goto(url);
  // The path's own chunk is there once it plays: WebRTC, or hls.js's video (the boot's sound plays before either).
  await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && (v.path === 'webrtc' || v.video.playing), 30_000);
  // Chunks and the service worker's own fetches settle.
  await page.waitForTimeout(1_500);
  await page.close();
  return transfers;
}

/** The cold load: a 2G-class mobile link. */
const COLD: NetworkProfile = { kbps: 64, latencyMs: 300 };
const COLD_LOAD_LIMIT_MS = 90_000;

const total = (transfers: Transfer[]) => transfers.reduce((sum, t) => sum + t.bytes, 0);
const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));

async function measure(browser: Browser, test: TestServer, slug: string) {
  const context = await browser.newContext();
  try {
    const first = await load(context, `${test.url}/e/${slug}`);
    const repeat = await load(context, `${test.url}/e/${slug}`);
    return { first, repeat };
  } finally {
    await context.close();
  }
}

const servers = {
  webrtc: await startTestServer({ MEDIASOUP_WORKERS: '1' }),
  hls: await startTestServer({ MEDIASOUP_WORKERS: '1', WEBRTC_SEATS_PER_WORKER: '0' }),
};
let browser: Browser | undefined;
try {
  browser = await launchChromium();
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  let cold: Awaited<ReturnType<typeof coldLoad>> | undefined;
  for (const [path, test] of Object.entries(servers)) {
    const { slug } = await createEvent(test, 'Page weight');
    const publisher = await publishTestPattern(test, slug);
    try {
      await waitForLadder(test, slug);
      results[path] = await measure(browser, test, slug);
      // The default server (WebRTC seats free): what the boot script does first does not depend on the path.
      if (path === 'webrtc') cold = await coldLoad(browser, `${test.url}/e/${slug}`, COLD, COLD_LOAD_LIMIT_MS);
    } finally {
      publisher.close();
    }
  }
  const webrtc = results.webrtc!;
  const hls = results.hls!;
  // The shell is what both paths load; the rest belongs to the path chosen.
  const inBoth = (t: Transfer) => webrtc.first.some((w) => w.path === t.path) && hls.first.some((h) => h.path === t.path);
  const shell = webrtc.first.filter(inBoth);
  const only = (transfers: Transfer[]) => transfers.filter((t) => !inBoth(t));
  await writeResult('pageweight', {
    firstLoadKB: kb(total(shell)),
    budgetKB: 150,
    firstLoad: shell.map((t) => ({ path: t.path.replace(/-[\w-]{8}\.(js|css)$/, '.$1'), kb: kb(t.bytes) })),
    webrtcPathAddsKB: kb(total(only(webrtc.first))),
    hlsPathAddsKB: kb(total(only(hls.first))),
    repeatVisitKB: { webrtc: kb(total(webrtc.repeat)), hls: kb(total(hls.repeat)) },
    coldLoad: {
      profile: `${COLD.kbps} kbps, ${COLD.latencyMs} ms (Chromium network emulation from the first request), empty cache`,
      firstSoundSeconds: cold?.firstSoundSeconds ?? null,
      firstSoundTargetSeconds: 6,
      bytesBeforeFirstSound: cold?.bytesBeforeFirstSound ?? null,
      bytesBeforeFirstSoundKB: cold?.bytesBeforeFirstSound == null ? null : kb(cold.bytesBeforeFirstSound),
      bytesBeforeFirstSoundBudgetKB: 30,
    },
    note:
      'bytes as transferred (headers and gzip included), Chromium, empty cache. Repeat visit: same profile, page ' +
      'resources taken from the network by the page itself; the service worker serves the assets from its cache ' +
      'and revalidates the HTML on its own (not counted here)',
  });
} finally {
  await browser?.close();
  await Promise.all(Object.values(servers).map((server) => server.close()));
}
