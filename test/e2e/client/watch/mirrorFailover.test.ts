import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingUrls, RECORDINGS_URL_PATH } from '../../../../shared/recordingLayout';
import { waitFor } from '../../../helpers/browser';
import { startKitMirror } from '../../../helpers/mirror';
import { NginxProcess } from '../../../helpers/NginxProcess';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { readPlayer, stalledSecondsOver } from '../../../helpers/watchPage';

// No WebRTC seat: everyone plays HLS, the path mirrors carry.
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '0' } });
let page: Page;
let slug: string;
let eventKey: string;
/** The static mirror the kit fills. */
let staticMirror: NginxProcess;
/**
 * How the origin's host is blocked now: its HLS requests (or only those at the paths `only` matches)
 * refused at once (as a firewall that resets), left unanswered (a blackhole: no byte, no error), or
 * not at all (null).
 */
let originBlocked: { how: 'refused' | 'unanswered'; only?: (path: string) => boolean } | null = null;
/** Media requests the page made, by where they went. */
const media: Array<{ host: 'origin' | 'mirror'; path: string }> = [];

beforeAll(async () => {
  // A static mirror filled by the mirror kit as the origin writes.
  const broadcast = await test.broadcast('Mirrored rally');
  ({ slug, eventKey } = broadcast);
  staticMirror = await startKitMirror(test, slug);
  await setMirrors([{ id: 'mirror', baseUrl: staticMirror.url }]);
  page = await watcher();
});

/** The event's mirrors, tried in the order given after the origin. */
async function setMirrors(mirrors: Array<{ id: string; baseUrl: string }>): Promise<void> {
  const response = await fetch(`${test.url}/api/events/${slug}/mirrors`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${eventKey}` },
    body: JSON.stringify({ mirrors, priority: ['origin', ...mirrors.map((m) => m.id)] }),
  });
  expect(response.status).toBe(200);
}

/** A new page of the browser whose requests to the origin's HLS files obey `originBlocked`, and are recorded in `media`. */
async function watcher(): Promise<Page> {
  const watching = await test.browser.newPage();
  const origin = new URL(test.url).origin;
  await watching.route(
    (url) => url.origin === origin && url.pathname.startsWith(`${RECORDINGS_URL_PATH}/`),
    async (route) => {
      const blocked = originBlocked !== null && (originBlocked.only?.(new URL(route.request().url()).pathname) ?? true);
      if (!blocked) await route.continue();
      else if (originBlocked?.how === 'refused') await route.abort('blockedbyclient');
      // Unanswered: the route is never fulfilled, continued nor aborted, and the request hangs.
    },
  );
  const record = (request: Request) => {
    const url = new URL(request.url());
    if (!/\.(m4s|mp4|m3u8)$/.test(url.pathname)) return;
    media.push({ host: url.origin === origin ? 'origin' : 'mirror', path: url.pathname });
  };
  watching.on('requestfinished', record);
  return watching;
}

/** Segments fetched from `host` since `since` (an index into `media`), of the rung folders matching `rung`. */
function segmentsFrom(host: 'origin' | 'mirror', since: number, rung = /./): number {
  return media.slice(since).filter((r) => r.host === host && r.path.endsWith('.m4s') && rung.test(r.path)).length;
}

/** Requests for the video rungs (their live playlists and segments) made to `host` since `since` (an index into `media`). */
function videoRequestsFrom(host: 'origin' | 'mirror', since: number): number {
  return media.slice(since).filter((r) => r.host === host && isVideo(r.path)).length;
}

/** A video rung's live playlist or segment. */
function isVideo(path: string): boolean {
  return /\/\d+p(\.live\.m3u8$|\/)/.test(path);
}

describe('a blocked origin host', () => {
  it('keeps the audio-only path sounding from the mirror, and returns to the origin when steering says so', async () => {
    await page.goto(`${test.url}/e/${slug}`);
    await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && v.path === 'hls');
    await page.getByTestId('audio-only-toggle').check();
    await waitFor(() => readPlayer(page), (v) => v.mode === 'audio' && v.audio.playing);

    const beforeBlock = media.length;
    originBlocked = { how: 'refused' };
    // The sound goes on (how long it stood at the failover is the bench's figure: npm run bench:mirror).
    const { advanced } = await stalledSecondsOver(page, 10_000);
    expect(advanced).toBeGreaterThan(6);
    expect(segmentsFrom('mirror', beforeBlock)).toBeGreaterThan(0);

    const beforeUnblock = media.length;
    originBlocked = null;
    // Back after the origin's penalty has run out and the next steering manifest still puts it first.
    await expect.poll(() => segmentsFrom('origin', beforeUnblock), { timeout: 40_000 }).toBeGreaterThan(0);
    // It stays there: the next segment comes from the origin too (when depends on how far ahead the pipe
    // had buffered, longer on a loaded machine), and none from the mirror meanwhile.
    const afterReturn = media.length;
    await expect.poll(() => segmentsFrom('origin', afterReturn)).toBeGreaterThan(0);
    expect(segmentsFrom('mirror', afterReturn)).toBe(0);
  });

  // The video tests fail over to the static mirror the kit fills (hls.js follows the live windows, which
  // the kit pushes with each segment), or to a cache in front of the origin (the shipped nginx config on
  // another port: another origin, so the origin's CORS headers are what let the page read it). Each test
  // opens a new page, so that what one page's pathways learnt of the origin does not carry over.
  let cdn: NginxProcess | undefined;

  /** The event's only mirror made the static one or the cache; its address. */
  async function mirrorOf(kind: 'static' | 'cache'): Promise<string> {
    const mirror = kind === 'static' ? staticMirror : (cdn ??= test.own(await NginxProcess.start({ origin: new URL(test.url).host })));
    await setMirrors([{ id: kind, baseUrl: mirror.url }]);
    return mirror.url;
  }

  /** A new page playing video with `kind` as the event's mirror; then the origin blocked `how` for `ms`. */
  async function blockUnderVideo(kind: 'static' | 'cache', how: 'refused' | 'unanswered', ms: number) {
    const mirrorUrl = await mirrorOf(kind);
    originBlocked = null;
    const watching = await watcher();
    await watching.goto(`${test.url}/e/${slug}`);
    const playing = await waitFor(() => readPlayer(watching), (v) => v.mode === 'video' && v.video.playing, 40_000);
    expect(playing.mode).toBe('video');
    const beforeBlock = media.length;
    const blockedAt = Date.now();
    const moved = watching
      .waitForRequest((request) => request.url().startsWith(`${mirrorUrl}/`), { timeout: ms })
      .then(() => `after ${Date.now() - blockedAt} ms`, () => `none within ${ms / 1000} s`);
    originBlocked = { how };
    const { stalled, advanced } = await stalledSecondsOver(watching, ms);
    console.log(`video path, origin ${how}, ${kind} mirror: first request to the mirror ${await moved}; stalled ${stalled} s over ${ms / 1000} s, advanced ${advanced.toFixed(1)} s`);
    await watching.close();
    return { stalled, advanced, mirrorSegments: segmentsFrom('mirror', beforeBlock, /\/\d+p\//) };
  }

  it('keeps the video path playing from the static mirror when the origin refuses', async () => {
    const { advanced, mirrorSegments } = await blockUnderVideo('static', 'refused', 10_000);
    expect(mirrorSegments).toBeGreaterThan(0);
    expect(advanced).toBeGreaterThan(6);
  }, 120_000);

  it('brings the video path back to the origin when steering says so after the origin is unblocked, without a stall', async () => {
    await mirrorOf('static');
    originBlocked = null;
    const watching = await watcher();
    try {
      await watching.goto(`${test.url}/e/${slug}`);
      const playing = await waitFor(() => readPlayer(watching), (v) => v.mode === 'video' && v.video.playing, 40_000);
      expect(playing.mode).toBe('video');
      const beforeBlock = media.length;
      originBlocked = { how: 'refused' };
      const blocked = await stalledSecondsOver(watching, 10_000);
      expect(blocked.advanced).toBeGreaterThan(6);
      expect(videoRequestsFrom('mirror', beforeBlock)).toBeGreaterThan(0);

      const beforeUnblock = media.length;
      const unblockedAt = Date.now();
      originBlocked = null;
      // Back once the origin's penalty ran out and the next steering manifest still puts it first: within
      // seconds (hls.js's own steering would have kept the origin out for 5 minutes). Watched meanwhile:
      // the stall count covers the move back and what follows it.
      let returnedAt = 0;
      const [, { stalled, advanced }] = await Promise.all([
        expect
          .poll(() => videoRequestsFrom('origin', beforeUnblock), { timeout: 40_000 })
          .toBeGreaterThan(0)
          .then(() => (returnedAt = Date.now())),
        stalledSecondsOver(watching, 45_000),
      ]);
      console.log(`video path, origin unblocked: back on the origin after ${returnedAt - unblockedAt} ms; stalled ${stalled} s over 45 s, advanced ${advanced.toFixed(1)} s`);
      // It stayed there: the last rung requests all went to the origin (a mirror load begun before the
      // return may end after the first from the origin, so not every one since then).
      const latest = media.slice(beforeUnblock).filter((r) => isVideo(r.path)).slice(-5);
      expect(latest.map((r) => r.host)).toEqual(Array(5).fill('origin'));
      expect(stalled).toBe(0);
      expect(advanced).toBeGreaterThan(40);
    } finally {
      await watching.close();
    }
  }, 150_000);

  it('moves the video path to the mirror within a few seconds when the origin answers nothing at all', async () => {
    // Long enough for the buffer to run out and for hls.js's default timeouts (10 s a request, retried,
    // then each other rung's in turn) to show as a stall if they were still in the way.
    const { stalled, advanced, mirrorSegments } = await blockUnderVideo('static', 'unanswered', 20_000);
    expect(mirrorSegments).toBeGreaterThan(0);
    expect(stalled).toBeLessThanOrEqual(3);
    expect(advanced).toBeGreaterThan(15);
  }, 120_000);

  it('starts the video path from the mirror when the origin refuses from the start', async () => {
    await mirrorOf('cache');
    originBlocked = { how: 'refused' };
    const since = media.length;
    const watching = await watcher();
    try {
      await watching.goto(`${test.url}/e/${slug}`);
      // hls.js's master is refused on the origin too: the player loads it from the mirror (or was sent
      // there by the page's pathways already), and the rungs follow, relative to the mirror's copy.
      const playing = await waitFor(() => readPlayer(watching), (v) => v.mode === 'video' && v.video.playing, 60_000);
      expect(playing.mode).toBe('video');
      const { advanced } = await stalledSecondsOver(watching, 8_000);
      expect(advanced).toBeGreaterThan(5);
      expect(segmentsFrom('mirror', since, /\/\d+p\//)).toBeGreaterThan(0);
    } finally {
      originBlocked = null;
      await watching.close();
    }
  }, 120_000);

  // The origin answers the page, its API and the sound; only hls.js's own load of the live master fails.
  // The page's pathways still choose the origin, so the master is asked of it first: what is proven is
  // the player's retry from the next pathway, and the rungs then played from the static mirror (its live
  // windows) — first: the origin, which answers them, may be taken back once its penalty ran out.
  it.each(['refused', 'unanswered'] as const)(
    'loads the video player\'s master from the static mirror when only its load from the origin is %s',
    async (how) => {
      await mirrorOf('static');
      const { liveMaster } = recordingUrls(slug);
      originBlocked = { how, only: (path) => path === liveMaster };
      const since = media.length;
      const watching = await watcher();
      const masterLoads: string[] = [];
      watching.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname === liveMaster) masterLoads.push(url.origin === new URL(test.url).origin ? 'origin' : 'mirror');
      });
      try {
        await watching.goto(`${test.url}/e/${slug}`);
        const playing = await waitFor(() => readPlayer(watching), (v) => v.mode === 'video' && v.video.playing, 60_000);
        expect(playing.mode).toBe('video');
        expect(masterLoads).toEqual(['origin', 'mirror']);
        const { advanced } = await stalledSecondsOver(watching, 8_000);
        expect(advanced).toBeGreaterThan(5);
        expect(segmentsFrom('mirror', since, /\/\d+p\//)).toBeGreaterThan(0);
        const firstRungSegment = media.slice(since).find((r) => r.path.endsWith('.m4s') && /\/\d+p\//.test(r.path));
        expect(firstRungSegment?.host).toBe('mirror');
      } finally {
        originBlocked = null;
        await watching.close();
      }
    },
    120_000,
  );
});
