/**
 * npm run bench:latency [-- --seconds 15]
 * Glass-to-glass latency on loopback. Each source stamps its frames with the wall clock as they are
 * captured (server/sfu/timecode.ts) and Chromium reads the stamp off every frame it shows, receiving
 * over WebRTC (the app's Receiver) and over HLS (stock hls.js on the ladder). Two sources: an organizer
 * publishing from Chromium with the studio's Publisher (a canvas for a camera), and the synthetic
 * ffmpeg source the demo and tests use. Writes bench/results/latency.json.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { recordingUrls } from '../shared/recordingLayout';
import { launchChromium, waitFor } from '../test/helpers/browser';
import { createEvent, publishTestPattern, startTestServer } from '../test/helpers/testServer';
import { writeResult } from './writeResult';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' } } });
const seconds = Number(values.seconds);
const SOURCE = { width: 640, height: 360 };

declare global {
  interface Window {
    /** The bundled latencyProbe.ts, once added to the page. */
    latencyProbe: typeof import('./latencyProbe');
  }
}

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
  const take = () => page.evaluate(() => window.latencyProbe.takeSamples());
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
  const open = async () => {
    const page = await browser.newPage();
    await page.goto(`${test.url}/healthz`);
    await page.addScriptTag({ content: probe });
    return page;
  };
  /** Latency of an event's media over WebRTC, then over HLS; `page` may already hold its publisher. */
  const measure = async (slug: string, page: Page) => {
    await page.evaluate(([s, w, h]) => window.latencyProbe.watchWebRtc(s, w, h), [slug, SOURCE.width, SOURCE.height] as const);
    const webrtc = await medianAge(page);
    const hlsPage = await open();
    await hlsPage.evaluate(([src, w, h]) => window.latencyProbe.watchHls(src, w, h), [recordingUrls(slug).master, SOURCE.width, SOURCE.height] as const);
    const hls = await medianAge(hlsPage);
    await hlsPage.close();
    return { webrtcMs: webrtc.medianMs, hlsSeconds: Number((hls.medianMs / 1000).toFixed(2)), framesRead: { webrtc: webrtc.frames, hls: hls.frames } };
  };

  const studio = await createEvent(test, 'Latency from the studio');
  const studioPage = await open();
  await studioPage.evaluate(
    ([s, k, w, h]) => window.latencyProbe.publishCanvas(s, k, w, h),
    [studio.slug, studio.eventKey, SOURCE.width, SOURCE.height] as const,
  );
  const fromStudio = await measure(studio.slug, studioPage);
  await studioPage.close();

  const synthetic = await createEvent(test, 'Latency from ffmpeg');
  const publisher = await publishTestPattern(test, synthetic.slug, { ...SOURCE, timecode: true });
  const fromFfmpeg = await measure(synthetic.slug, await open());
  publisher.close();

  await writeResult('latency', {
    webrtcMs: fromStudio.webrtcMs,
    hlsSeconds: fromStudio.hlsSeconds,
    framesRead: fromStudio.framesRead,
    ffmpegSource: fromFfmpeg,
    windowSeconds: seconds,
    method:
      'median over the window of (frame shown in Chromium − wall clock stamped at capture), loopback, 640x360 25 fps. ' +
      'Top level: an organizer in Chromium publishing a canvas through the studio’s Publisher (VP8 simulcast); ' +
      'ffmpegSource: the synthetic test pattern published by FfmpegPublisher (libvpx). WebRTC via the app’s Receiver; ' +
      'HLS via stock hls.js on the packaged ladder',
  });
} finally {
  await browser.close();
  await test.close();
}
