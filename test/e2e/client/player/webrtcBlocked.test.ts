import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

// ICE candidates point at TEST-NET-1, where nothing answers: neither UDP nor TCP can connect.
const test = withServerAndBrowser({ env: { RTC_ANNOUNCED_ADDRESS: '192.0.2.1' } });
let slug: string;

beforeAll(async () => {
  ({ slug } = await test.broadcast('Unreachable WebRTC'));
});

describe('an attendee whose network lets no WebRTC through', () => {
  it('tries WebRTC first, then lands on HLS by itself and plays picture and sound', async () => {
    const page = await test.browser.newPage();
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
