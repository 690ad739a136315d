/**
 * npm run bench:latency [-- --seconds 20]
 * Glass-to-glass latency on loopback: the synthetic source stamps each frame with the wall clock as it
 * is captured (server/sfu/timecode.ts); Chromium reads the stamp off every frame it shows, once
 * receiving over WebRTC (the app's Receiver) and once over HLS (stock hls.js on the ladder).
 * Writes bench/results/latency.json.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { recordingUrls } from '../shared/recordings';
import { launchChromium, waitFor } from '../test/helpers/browser';
import { createEvent, publishTestPattern, startTestServer } from '../test/helpers/testServer';
import { writeResult } from './writeResult';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);
const SOURCE = { width: 640, height: 360 };

type Probe = typeof import('./latencyProbe');

/** The page's code as one script: the app's client modules and hls.js bundled by Vite. */
async function bundleProbe(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: false,
      lib: { entry: path.join(import.meta.dirname, 'latencyProbe.ts'), formats: ['iife'], name: 'latencyProbe', fileName: 'probe' },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  return (Array.isArray(output) ? output[0]! : output).output[0].code;
}

/** Median age of the frames shown over the window, after the player has settled. */
async function medianAge(page: Page): Promise<{ medianMs: number; frames: number }> {
  const take = () => page.evaluate(() => (window as unknown as { latencyProbe: Probe }).latencyProbe.takeSamples());
  await waitFor(take, (s) => s.length > 0, 60_000, 500);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await take();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const ages = (await take()).sort((a, b) => a - b);
  return { medianMs: Math.round(ages[Math.floor(ages.length / 2)] ?? Number.NaN), frames: ages.length };
}

const probe = await bundleProbe();
const test = await startTestServer({ MEDIASOUP_WORKERS: '1' });
const browser = await launchChromium();
try {
  const { slug } = await createEvent(test, 'Latency benchmark');
  const publisher = await publishTestPattern(test, slug, { ...SOURCE, timecode: true });
  const open = async () => {
    const page = await browser.newPage();
    await page.goto(`${test.url}/healthz`);
    await page.addScriptTag({ content: probe });
    return page;
  };

  const webrtcPage = await open();
  await webrtcPage.evaluate(
    ([s, w, h]) => (window as unknown as { latencyProbe: Probe }).latencyProbe.watchWebRtc(s, w, h),
    [slug, SOURCE.width, SOURCE.height] as const,
  );
  const webrtc = await medianAge(webrtcPage);
  await webrtcPage.close();

  const hlsPage = await open();
  await hlsPage.evaluate(
    ([src, w, h]) => (window as unknown as { latencyProbe: Probe }).latencyProbe.watchHls(src, w, h),
    [recordingUrls(slug).master, SOURCE.width, SOURCE.height] as const,
  );
  const hls = await medianAge(hlsPage);
  publisher.close();

  await writeResult('latency', {
    webrtcMs: webrtc.medianMs,
    hlsSeconds: Number((hls.medianMs / 1000).toFixed(2)),
    framesRead: { webrtc: webrtc.frames, hls: hls.frames },
    windowSeconds: seconds,
    method:
      'median over the window of (frame shown in Chromium − wall clock stamped at capture); 640x360 test pattern, ' +
      'VP8 into the SFU; WebRTC via the app’s Receiver; HLS via stock hls.js on the packaged ladder; loopback',
  });
} finally {
  await browser.close();
  await test.close();
}
