import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inboundTotals, trackPeerConnections, waitFor } from '../../../helpers/browser';
import { COLLAPSE, GOOD, UNLIMITED, emulateNetwork, type Throttle } from '../../../helpers/network';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { progressOver, readPlayer, type PlayerView } from '../../../helpers/watchPage';

const test = withServerAndBrowser();
let page: Page;
let throttle: Throttle;
/** Every (path, mode) the page showed during the collapse, in order. */
const seen: string[] = [];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sound actually arriving: RTP bytes on WebRTC (whose element clock runs regardless), decoded bytes on HLS. */
async function soundOver(ms: number): Promise<{ path: string | null; bytes: number; seconds: number }> {
  const view = await readPlayer(page);
  if (view.path === 'webrtc') {
    const before = await inboundTotals(page);
    await pause(ms);
    return { path: 'webrtc', bytes: (await inboundTotals(page)).audioBytes - before.audioBytes, seconds: ms / 1000 };
  }
  const progress = await progressOver(page, ms);
  return { path: view.path, bytes: progress.audioDecodedBytes, seconds: progress.seconds };
}

async function record(): Promise<PlayerView> {
  const view = await readPlayer(page);
  const entry = `${view.path}/${view.mode}`;
  if (seen.at(-1) !== entry) seen.push(entry);
  return view;
}

beforeAll(async () => {
  const { slug } = await test.broadcast('Throttled WebRTC rally');
  page = await test.browser.newPage();
  await trackPeerConnections(page);
  // Chromium shapes only the peer connections opened while emulation was already on.
  throttle = await emulateNetwork(page);
  await throttle(UNLIMITED);
  await page.goto(`${test.url}/e/${slug}`);
  await throttle(GOOD);
});

describe('the WebRTC player on a link that collapses and recovers', () => {
  it('plays video over WebRTC on a good link (1.5 Mbps)', async () => {
    const view = await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && v.path === 'webrtc');
    expect(view.mode).toBe('video');
    const frames = await waitFor(() => inboundTotals(page), (t) => t.videoFramesDecoded > 10 && t.audioBytes > 2_000);
    expect(frames.videoFramesDecoded).toBeGreaterThan(10);
  });

  it('drops video when the link collapses to 40 kbps, and the sound keeps coming', async () => {
    await throttle(COLLAPSE);
    const audio = await waitFor(record, (v) => v.mode === 'audio', 40_000, 250);
    expect(audio.mode).toBe('audio');
    // WebRTC's own reaction comes first: the server stops sending video to this attendee. At 40 kbps
    // even Opus with its packet overhead hardly fits, so the player may then move the sound to HLS.
    expect(seen).toContain('webrtc/audio');
    const settled = await waitFor(record, (v) => v.mode === 'audio' && (v.path === 'hls' ? v.audio.playing : true), 40_000, 500);
    expect(settled.mode).toBe('audio');
    const sound = await waitFor(() => soundOver(6_000), (s) => s.bytes > 0 && (s.path !== 'hls' || s.seconds > 4), 30_000, 0);
    expect(sound.bytes).toBeGreaterThan(0);
    if (sound.path === 'hls') expect(sound.seconds).toBeGreaterThan(4);
  });

  it('brings video back once the link has recovered for a while', async () => {
    await throttle(GOOD);
    // Over WebRTC the stage picture that measures the link waits for a minute of clean sound after a
    // collapse (WebRtcPlayback#posterLinkIsFree), then video for 12 s of a link measured good.
    const video = await waitFor(record, (v) => v.mode === 'video' && (v.path === 'webrtc' || v.video.playing), 100_000, 500);
    expect(video.mode, seen.join(' → ')).toBe('video');
    if (video.path === 'webrtc') {
      const frames = await waitFor(() => inboundTotals(page), (t) => t.videoFramesDecoded > 0);
      expect(frames.videoFramesDecoded).toBeGreaterThan(0);
    } else {
      const shown = await waitFor(() => progressOver(page, 2_000), (p) => p.videoDecodedBytes > 0);
      expect(shown.videoDecodedBytes).toBeGreaterThan(0);
    }
  }, 120_000);
});
