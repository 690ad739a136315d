import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openUnderServiceWorker, waitFor } from '../helpers/browser';
import { withServerAndBrowser } from '../helpers/serverAndBrowser';
import { createEvent } from '../helpers/testServer';
import { progressOver, readPlayer } from '../helpers/watchPage';

/**
 * The CSP is only a defence if the app still works under it: the studio goes live (getUserMedia,
 * mediasoup-client, Socket.io) and an attendee watches over HLS (hls.js and its worker, MSE object URLs,
 * the audio-only pipe and stage picture) without the browser refusing anything.
 * No WebRTC seat, so the attendee takes the HLS path, the one with workers and object URLs.
 */
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '0' } });

/** Every refusal the page hears of: the DOM event and Chromium's console message for it. */
async function watchForRefusals(page: Page): Promise<string[]> {
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refusals.push(message.text());
  });
  await page.exposeFunction('reportRefusal', (text: string) => refusals.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportRefusal(text: string): void }).reportRefusal(
        `${event.violatedDirective} refused ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      );
    });
  });
  return refusals;
}

describe('the client under the Content-Security-Policy', () => {
  it('goes live from the studio and plays, also audio only, on the watch page with nothing refused', async () => {
    const { slug, eventKey } = await createEvent(test, 'Policy rally');
    const context = await test.browser.newContext();
    const studio = await context.newPage();
    const studioRefusals = await watchForRefusals(studio);
    await studio.goto(`${test.url}/studio/${slug}`);
    await studio.getByTestId('organizer-key-input').fill(eventKey);
    await studio.getByTestId('organizer-key-save').click();
    await studio.getByTestId('go-live').click();
    await expect.poll(() => studio.getByTestId('publish-state').textContent(), { timeout: 20_000 }).toBe('publishing');

    const watch = await context.newPage();
    const watchRefusals = await watchForRefusals(watch);
    await watch.goto(`${test.url}/e/${slug}`);
    const view = await waitFor(() => readPlayer(watch), (v) => v.connection === 'connected' && v.mode === 'video', 60_000);
    expect(view.path).toBe('hls');
    const seen = await waitFor(() => progressOver(watch, 2_000), (p) => p.seconds > 1 && p.videoDecodedBytes > 0, 30_000);
    expect(seen.videoDecodedBytes).toBeGreaterThan(0);
    await watch.getByTestId('audio-only-toggle').check();
    const heard = await waitFor(() => readPlayer(watch), (v) => v.mode === 'audio' && v.audio.playing && v.poster, 30_000);
    expect(heard.poster).toBe(true);

    expect(studioRefusals).toEqual([]);
    expect(watchRefusals).toEqual([]);
    await context.close();
  });

});

describe('the service worker, attacked by opening API addresses as pages', () => {
  it('keeps only the page as the app shell, never an API answer opened as a page', async () => {
    const context = await test.browser.newContext();
    const page = await openUnderServiceWorker(context, test.url);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    await page.goto(`${test.url}/api/events`);
    await page.goto(`${test.url}/healthz`);
    const cached = await page.evaluate(async () => {
      const keys = await Promise.all((await caches.keys()).map(async (name) => (await caches.open(name)).keys()));
      const shell = await caches.match('/index.html');
      return { urls: keys.flat().map((request) => new URL(request.url).pathname), shell: await shell?.text() };
    });
    expect(cached.urls.filter((url) => url.startsWith('/api/') || url === '/healthz')).toEqual([]);
    expect(cached.shell).toContain('<div id="root">');
    await context.close();
  });
});
