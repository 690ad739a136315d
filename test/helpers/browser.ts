import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, never a downloaded one; flags measured on the test machines. */
export async function launchChromium(extraArgs: string[] = [], executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

export interface InboundTotals {
  audioBytes: number;
  /** Audio samples played out (received or concealed), and those of them concealed: made up for packets that did not come. */
  audioSamples: number;
  audioConcealedSamples: number;
  videoBytes: number;
  videoFramesDecoded: number;
  /** Width of the video being received now (0 when none). */
  videoFrameWidth: number;
}

/**
 * Keeps every RTCPeerConnection the page opens reachable from tests, so their getStats() can be read
 * without the application exposing anything for the tests' sake.
 */
export async function trackPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const tracked: RTCPeerConnection[] = [];
    (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = tracked;
    window.RTCPeerConnection = class extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        tracked.push(this);
      }
    } as typeof RTCPeerConnection;
  });
}

/** Sums inbound RTP over the page's open peer connections. */
export async function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(async () => {
    const totals = { audioBytes: 0, audioSamples: 0, audioConcealedSamples: 0, videoBytes: 0, videoFramesDecoded: 0, videoFrameWidth: 0 };
    const pcs = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      type Stat = {
        type: string;
        kind?: string;
        ssrc?: number;
        bytesReceived?: number;
        totalSamplesReceived?: number;
        concealedSamples?: number;
        framesDecoded?: number;
        frameWidth?: number;
      };
      // SSRC 1234 is mediasoup's bandwidth probator: padding it sends to probe the link, never media.
      const PROBATOR_SSRC = 1234;
      report.forEach((s: Stat) => {
        if (s.type !== 'inbound-rtp' || s.ssrc === PROBATOR_SSRC) return;
        if (s.kind === 'audio') {
          totals.audioBytes += s.bytesReceived ?? 0;
          totals.audioSamples += s.totalSamplesReceived ?? 0;
          totals.audioConcealedSamples += s.concealedSamples ?? 0;
        }
        if (s.kind === 'video') {
          totals.videoBytes += s.bytesReceived ?? 0;
          totals.videoFramesDecoded += s.framesDecoded ?? 0;
          totals.videoFrameWidth = Math.max(totals.videoFrameWidth, s.frameWidth ?? 0);
        }
      });
    }
    return totals;
  });
}

/** Polls until `check` passes or the time runs out; returns the last value either way. */
export async function waitFor<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 20_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await read();
  }
  return value;
}

/**
 * Opens `url` and reloads it once the service worker is ready: the first visit's page was fetched before
 * the worker took control, the reloaded one passes through it. Resolves when the page is controlled.
 */
export async function openUnderServiceWorker(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await waitFor(() => page.evaluate(() => navigator.serviceWorker.controller !== null), Boolean);
  return page;
}
