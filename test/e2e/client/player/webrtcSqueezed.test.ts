import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundTotals, trackPeerConnections, waitFor } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { ShapedNamespace } from '../../../helpers/shapedNamespace';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

/** What became of the element that carries WebRTC's sound while HLS starts, as the page saw it. */
interface HandoverTrace {
  addedAt: number | null;
  playedAt: number | null;
  removedAt: number | null;
  /** Whether the page's own audio element played (HLS's sound) when the handover element went. */
  hlsPlayingAtRemoval: boolean | null;
}

// Declared before the fixture: its server listens on the namespace's side of the link.
let shaped: ShapedNamespace;
beforeAll(async () => {
  shaped = await ShapedNamespace.create();
});
afterAll(() => shaped.close());

const test = withServerAndBrowser({ env: () => shaped.serverEnv(), browser: false });
let page: Page;

beforeAll(async () => {
  const { slug } = await test.broadcast('Squeezed UDP rally');
  const origin = `http://${shaped.hostAddress}:${test.server.port}`;
  const browser = test.own(await shaped.launchChromium(origin));
  page = await browser.newPage();
  await trackPeerConnections(page);
  await page.addInitScript(() => {
    const trace: HandoverTrace = { addedAt: null, playedAt: null, removedAt: null, hlsPlayingAtRemoval: null };
    (window as unknown as { __handover: HandoverTrace }).__handover = trace;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (!(node instanceof HTMLAudioElement) || node.dataset.testid !== 'webrtc-handover') continue;
          trace.addedAt = performance.now();
          node.addEventListener('playing', () => (trace.playedAt ??= performance.now()));
        }
        for (const node of record.removedNodes) {
          if (!(node instanceof HTMLAudioElement) || node.dataset.testid !== 'webrtc-handover') continue;
          trace.removedAt = performance.now();
          const hls = document.querySelector<HTMLAudioElement>('[data-testid="watch-audio"]');
          trace.hlsPlayingAtRemoval = hls !== null && !hls.paused && hls.currentTime > 0;
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${origin}/e/${slug}`);
});

describe('an attendee whose UDP a censor squeezes below the speech, TCP left its room', () => {
  it('plays over WebRTC while the link is good', async () => {
    const view = await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && v.path === 'webrtc', 30_000);
    expect(view.path).toBe('webrtc');
    const totals = await waitFor(() => inboundTotals(page), (t) => t.audioBytes > 2_000, 30_000);
    expect(totals.audioBytes).toBeGreaterThan(2_000);
  });

  it('moves to HLS for the speech, WebRTC’s sound playing on until HLS plays', async () => {
    await Promise.all([shaped.shapeDownlink(200, 8), shaped.shapeUplink(200, 8)]);
    const moved = await waitFor(() => readPlayer(page), (v) => v.path === 'hls' && v.audio.playing, 40_000, 250);
    expect(moved.mode).toBe('audio');
    expect(await page.getByTestId('delivery-path').getAttribute('data-reason')).toBe('unhealthy');
    const trace = await waitFor(
      () => page.evaluate(() => (window as unknown as { __handover: HandoverTrace }).__handover),
      (t) => t.removedAt !== null,
      10_000,
    );
    expect(trace.addedAt).not.toBeNull();
    expect(trace.playedAt).not.toBeNull();
    expect(trace.hlsPlayingAtRemoval).toBe(true);
    const heard = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0, 30_000, 0);
    expect(heard.audioDecodedBytes).toBeGreaterThan(0);
  }, 90_000);
});
