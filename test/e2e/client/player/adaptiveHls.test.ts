import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/browser';
import { COLLAPSE, GOOD, emulateNetwork, type NetworkProfile } from '../../../helpers/network';
import { PageTrail } from '../../../helpers/pageTrail';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '0' } });
const trail = new PageTrail();
let page: Page;
let throttle: (profile: NetworkProfile) => Promise<void>;

beforeAll(async () => {
  const { slug } = await test.broadcast('Throttled HLS rally');
  page = await test.browser.newPage();
  trail.watch(page);
  await page.goto(`${test.url}/e/${slug}`);
  // After the page has loaded: throttling the first load only measures how long the bundle takes.
  const emulate = await emulateNetwork(page);
  throttle = async (profile) => {
    trail.note(`link now ${profile.kbps} kbps, ${profile.latencyMs} ms`);
    await emulate(profile);
  };
  await throttle(GOOD);
});

describe('the HLS player on a link that collapses and recovers', () => {
  it('plays video on a good link (1.5 Mbps)', async () => {
    const view = await waitFor(() => readPlayer(page), (v) => v.path === 'hls' && v.mode === 'video' && v.video.playing);
    expect(view.mode).toBe('video');
    const seen = await waitFor(() => progressOver(page, 2_000), (p) => p.videoDecodedBytes > 0 && p.seconds > 1);
    expect(seen.videoDecodedBytes).toBeGreaterThan(0);
  });

  it('drops to audio only when the link collapses to 40 kbps with 400 ms latency, and the sound keeps advancing', async () => {
    await throttle(COLLAPSE);
    const audio = await waitFor(() => readPlayer(page), (v) => v.mode === 'audio' && v.audio.playing, 40_000);
    expect(audio.mode).toBe('audio');
    expect(audio.video.playing).toBe(false);
    // The 32 kbps audio rung fills 40 kbps almost entirely, so it may pause now and then, but it goes on.
    const heard = await progressOver(page, 12_000);
    expect(heard.seconds).toBeGreaterThan(5);
    expect(heard.audioDecodedBytes).toBeGreaterThan(0);
    expect((await readPlayer(page)).mode).toBe('audio');
  });

  it('brings video back once the link has recovered for a while', async () => {
    await throttle(GOOD);
    const video = await waitFor(() => readPlayer(page), (v) => v.mode === 'video' && v.video.playing, 60_000);
    expect(video.mode).toBe('video');
    const seen = await waitFor(() => progressOver(page, 2_000), (p) => p.videoDecodedBytes > 0 && p.seconds > 1);
    expect(seen.videoDecodedBytes).toBeGreaterThan(0);
  });
});
