import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECORDINGS_URL_PATH } from '../../../../shared/recordingLayout';
import { waitFor } from '../../../helpers/browser';
import { startKitMirror } from '../../../helpers/mirror';
import type { NginxProcess } from '../../../helpers/NginxProcess';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { readPlayer, stalledSecondsOver } from '../../../helpers/watchPage';

// No WebRTC seat: everyone plays HLS, the path mirrors carry.
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '0' } });
let page: Page;
let slug: string;
let mirror: NginxProcess;
/** While true, every request for the origin's HLS files fails as if its host were blocked. */
let originBlocked = false;
/** Media requests the page made, by where they went. */
const media: Array<{ host: 'origin' | 'mirror'; path: string }> = [];

beforeAll(async () => {
  // A static mirror filled by the mirror kit as the origin writes.
  const broadcast = await test.broadcast('Mirrored rally');
  slug = broadcast.slug;
  mirror = await startKitMirror(test, slug);
  const response = await fetch(`${test.url}/api/events/${slug}/mirrors`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${broadcast.eventKey}` },
    body: JSON.stringify({ mirrors: [{ id: 'mirror', baseUrl: mirror.url }], priority: ['origin', 'mirror'] }),
  });
  expect(response.status).toBe(200);

  page = await test.browser.newPage();
  const origin = new URL(test.url).origin;
  await page.route(
    (url) => url.origin === origin && url.pathname.startsWith(`${RECORDINGS_URL_PATH}/`),
    (route) => (originBlocked ? route.abort('blockedbyclient') : route.continue()),
  );
  const record = (request: Request) => {
    const url = new URL(request.url());
    if (!/\.(m4s|mp4|m3u8)$/.test(url.pathname)) return;
    media.push({ host: url.origin === origin ? 'origin' : 'mirror', path: url.pathname });
  };
  page.on('requestfinished', record);
});

/** Segments fetched from `host` since `since` (an index into `media`), of the rung folders matching `rung`. */
function segmentsFrom(host: 'origin' | 'mirror', since: number, rung = /./): number {
  return media.slice(since).filter((r) => r.host === host && r.path.endsWith('.m4s') && rung.test(r.path)).length;
}

describe('a blocked origin host', () => {
  it('keeps the audio-only path sounding from the mirror, and returns to the origin when steering says so', async () => {
    await page.goto(`${test.url}/e/${slug}`);
    await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && v.path === 'hls');
    await page.getByTestId('audio-only-toggle').check();
    await waitFor(() => readPlayer(page), (v) => v.mode === 'audio' && v.audio.playing);

    const beforeBlock = media.length;
    originBlocked = true;
    // The sound goes on (how long it stood at the failover is the bench's figure: npm run bench:mirror).
    const { advanced } = await stalledSecondsOver(page, 10_000);
    expect(advanced).toBeGreaterThan(6);
    expect(segmentsFrom('mirror', beforeBlock)).toBeGreaterThan(0);

    const beforeUnblock = media.length;
    originBlocked = false;
    // Back after the origin's penalty has run out and the next steering manifest still puts it first.
    await expect.poll(() => segmentsFrom('origin', beforeUnblock), { timeout: 40_000 }).toBeGreaterThan(0);
    // It stays there: the next segment comes from the origin too (when depends on how far ahead the pipe
    // had buffered, longer on a loaded machine), and none from the mirror meanwhile.
    const afterReturn = media.length;
    await expect.poll(() => segmentsFrom('origin', afterReturn)).toBeGreaterThan(0);
    expect(segmentsFrom('mirror', afterReturn)).toBe(0);
  });

  it('keeps the video path (hls.js content steering) playing from the mirror', async () => {
    await page.getByTestId('audio-only-toggle').uncheck();
    await waitFor(() => readPlayer(page), (v) => v.mode === 'video' && v.video.playing);
    const beforeBlock = media.length;
    originBlocked = true;
    const { advanced } = await stalledSecondsOver(page, 10_000);
    expect(advanced).toBeGreaterThan(6);
    expect(segmentsFrom('mirror', beforeBlock, /\/\d+p\//)).toBeGreaterThan(0);
  });
});
