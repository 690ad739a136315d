/**
 * npm run bench:mirror
 * A live event mirrored by the mirror kit onto Debian's nginx (deploy/nginx/mirror.conf), watched in
 * Chromium over HLS; mid-playback every request for the origin's HLS files is stopped, in two ways: refused
 * at once (a host that resets connections) and left unanswered (a blackholed host, the harder case). Per
 * playback path (audio: our audio pipe; video: hls.js, its loads steered by the page's pathways) it
 * reports how long the sound stood still in the 20 s after the block (`stallSeconds`), how long until
 * the first file came from the mirror (`secondsToRecover`), and the bytes fetched from the mirror for
 * files already received from the origin (`extraBytes`: what the failover cost beyond playing on).
 * Writes bench/results/mirror.json.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { renderMirrorConfig } from '../deploy/nginx/renderMirrorConfig';
import { RECORDINGS_URL_PATH } from '../shared/recordingLayout';
import { createLogger } from '../server/logger';
import { MirrorPusher } from '../server/mirror/MirrorPusher';
import { DirectoryTarget } from '../server/mirror/MirrorTarget';
import { launchChromium, waitFor } from '../test/helpers/browser';
import { waitForLadder } from '../test/helpers/ladder';
import { NginxProcess } from '../test/helpers/NginxProcess';
import { createEvent, publishTestPattern, startTestServer } from '../test/helpers/testServer';
import { readPlayer, stalledSecondsOver } from '../test/helpers/watchPage';
import { writeResult } from './writeResult';

const AFTER_BLOCK_MS = 20_000;
type Block = 'refused' | 'blackholed';
type PathName = 'audio' | 'video';

interface Figures {
  stallSeconds: number;
  secondsToRecover: number | null;
  extraBytes: number;
}

async function main(): Promise<void> {
  const test = await startTestServer({ WEBRTC_SEATS_PER_WORKER: '0' });
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-bench-mirror-'));
  const mirror = await NginxProcess.serve((listen) => renderMirrorConfig({ listen, root, putFrom: '127.0.0.1' }));
  const browser = await launchChromium();
  const pushing = new AbortController();
  try {
    const { slug, eventKey } = await createEvent(test, 'Mirror bench');
    const publisher = await publishTestPattern(test, slug);
    await waitForLadder(test, slug, 3);
    const pusher = new MirrorPusher(path.join(test.server.hls.recordingsDir, slug), slug, new DirectoryTarget(root));
    void pusher.run(createLogger('silent'), pushing.signal);
    await fetch(`${test.url}/api/events/${slug}/mirrors`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${eventKey}` },
      body: JSON.stringify({ mirrors: [{ id: 'mirror', baseUrl: mirror.url }], priority: ['origin', 'mirror'] }),
    });
    const paths: Record<string, Figures> = {};
    for (const block of ['refused', 'blackholed'] as const) {
      for (const mode of ['audio', 'video'] as const) {
        paths[`${mode}-${block}`] = await measure(await browser.newPage(), test.url, slug, mode, block);
      }
    }
    publisher.close();
    await writeResult('mirror', { afterBlockSeconds: AFTER_BLOCK_MS / 1000, paths });
  } finally {
    pushing.abort();
    await browser.close();
    await mirror.close();
    await test.close();
    await fs.rm(root, { recursive: true, force: true });
  }
}

async function measure(page: Page, url: string, slug: string, mode: PathName, block: Block): Promise<Figures> {
  const origin = new URL(url).origin;
  let blocked = false;
  const held: Route[] = [];
  await page.route(
    (u) => u.origin === origin && u.pathname.startsWith(`${RECORDINGS_URL_PATH}/`),
    (route) => {
      if (!blocked) return route.continue();
      if (block === 'refused') return route.abort('connectionrefused');
      held.push(route);
      return undefined;
    },
  );
  const fromOrigin = new Set<string>();
  let extraBytes = 0;
  let firstFromMirrorAt: number | null = null;
  page.on('requestfinished', (request) => {
    const u = new URL(request.url());
    if (!u.pathname.startsWith(`${RECORDINGS_URL_PATH}/`) || u.pathname.endsWith('.jpg')) return;
    void request.sizes().then(({ responseBodySize }) => {
      if (u.origin === origin) fromOrigin.add(u.pathname);
      else {
        firstFromMirrorAt ??= performance.now();
        if (fromOrigin.has(u.pathname) && !u.pathname.endsWith('.m3u8')) extraBytes += responseBodySize;
      }
    });
  });
  // tsx names functions with a helper the page does not have; the readers passed to page.evaluate use it.
  await page.addInitScript('window.__name = (fn) => fn;');
  await page.goto(`${url}/e/${slug}`);
  await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && v.path === 'hls', 30_000);
  if (mode === 'audio') await page.getByTestId('audio-only-toggle').check();
  await waitFor(() => readPlayer(page), (v) => v.mode === mode && (mode === 'audio' ? v.audio.playing : v.video.playing), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  blocked = true;
  const blockedAt = performance.now();
  const { stalled } = await stalledSecondsOver(page, AFTER_BLOCK_MS, 100);
  const recoveredAt = firstFromMirrorAt as number | null;
  await page.close();
  for (const route of held) await route.abort('timedout').catch(() => undefined);
  return {
    stallSeconds: Number(stalled.toFixed(1)),
    secondsToRecover: recoveredAt === null ? null : Number(((recoveredAt - blockedAt) / 1000).toFixed(1)),
    extraBytes,
  };
}

await main();
