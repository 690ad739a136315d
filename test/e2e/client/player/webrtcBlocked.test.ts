import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FfmpegPublisher } from '../../../../server/sfu/FfmpegPublisher';
import { waitForLadder } from '../../../helpers/ladder';
import { launchChromium, waitFor } from '../../../helpers/browser';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../../../helpers/testServer';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

let test: TestServer;
let browser: Browser;
let publisher: FfmpegPublisher;
let slug: string;

beforeAll(async () => {
  // ICE candidates point at TEST-NET-1, where nothing answers: neither UDP nor TCP can connect.
  test = await startTestServer({ RTC_ANNOUNCED_ADDRESS: '192.0.2.1' });
  ({ slug } = await createEvent(test, 'Unreachable WebRTC'));
  publisher = await publishTestPattern(test, slug);
  await waitForLadder(test, slug);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  publisher?.close();
  await test?.close();
});

describe('an attendee whose network lets no WebRTC through', () => {
  it('tries WebRTC first, then lands on HLS by itself and plays picture and sound', async () => {
    const page = await browser.newPage();
    await page.goto(`${test.url}/e/${slug}`);
    const trying = await waitFor(() => readPlayer(page), (v) => v.path !== null);
    expect(trying.path).toBe('webrtc');
    const landed = await waitFor(() => readPlayer(page), (v) => v.path === 'hls' && v.connection === 'connected', 40_000);
    expect(landed.path).toBe('hls');
    expect(await page.getByTestId('delivery-path').getAttribute('data-reason')).toBe('cannot connect');
    const progress = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0 && p.videoDecodedBytes > 0);
    expect(progress.audioDecodedBytes).toBeGreaterThan(0);
    expect(progress.videoDecodedBytes).toBeGreaterThan(0);
  });
});
