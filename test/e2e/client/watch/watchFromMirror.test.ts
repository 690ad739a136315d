import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/browser';
import { startKitMirror } from '../../../helpers/mirror';
import type { NginxProcess } from '../../../helpers/NginxProcess';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

const test = withServerAndBrowser();
let page: Page;
let slug: string;
let mirror: NginxProcess;
/** Every request the page made to the origin's host: each one is refused, as if the host were blocked. */
const toOrigin: string[] = [];
/** Requests to the mirror (the page's own host) that failed, to say what went wrong when the page does not play. */
const mirrorFailures: string[] = [];

beforeAll(async () => {
  // A supporter's static host, filled by the mirror kit with the recording as it is written, the built
  // client and the event's description.
  const broadcast = await test.broadcast('Rally on a mirror');
  slug = broadcast.slug;
  mirror = await startKitMirror(test, slug, {
    clientDir: test.server.config.clientDir,
    describeEvent: () => test.server.events.get(slug),
  });

  page = await test.browser.newPage();
  const origin = new URL(test.url).origin;
  await page.route(
    (url) => url.origin === origin,
    (route) => {
      toOrigin.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).origin === mirror.url) mirrorFailures.push(`${request.url()} ${request.failure()?.errorText}`);
  });
  // The kit's first round (client included) is on the mirror before the page is opened.
  await waitFor(
    () => fetch(`${mirror.url}/e/${slug}`).then((r) => r.status, () => 0),
    (status) => status === 200,
  );
});

describe('the watch page loaded from a static mirror, its origin out of reach', () => {
  it('plays the live sound from the mirror, named from the mirror\'s description, with the chat said to be unavailable', async () => {
    await page.goto(`${mirror.url}/e/${slug}`);
    const view = await waitFor(
      () => readPlayer(page),
      (v) => v.connection === 'connected' && v.path === 'hls',
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; failed on the mirror: ${mirrorFailures.join(', ')}`);
    });
    expect(view.path).toBe('hls');
    await expect.poll(() => page.getByTestId('delivery-path').getAttribute('data-reason')).toBe('server unreachable');
    expect(await page.getByTestId('event-title').textContent()).toBe('Rally on a mirror');
    await expect.poll(() => page.getByTestId('chat-unavailable').isVisible()).toBe(true);

    // Sound, decoded and moving on, for as long as the origin stays out of reach.
    const progress = await progressOver(page, 6_000);
    expect(progress.seconds).toBeGreaterThan(3);
    expect(progress.audioDecodedBytes).toBeGreaterThan(0);
    // All of it came from the mirror: the page never even tried the origin's host.
    expect(toOrigin).toEqual([]);
  });
});
