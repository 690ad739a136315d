import { describe, expect, it } from 'vitest';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';

const test = withServerAndBrowser();

describe('the service worker', () => {
  it('keeps the app shell so a returning visitor gets the page even without a network', async () => {
    const context = await test.browser.newContext();
    const page = await context.newPage();
    await page.goto(test.url);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // The first visit's page was fetched before the worker took control: the second one passes through it.
    await page.reload();
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Live and upcoming events');
    // What needs the network says so, rather than the page failing to load.
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Could not load the events.');
    await context.close();
  });
});
