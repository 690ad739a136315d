import { describe, expect, it } from 'vitest';
import { openUnderServiceWorker } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';

const test = withServerAndBrowser();

describe('the service worker', () => {
  it('keeps the app shell so a returning visitor gets the page even without a network', async () => {
    const context = await test.browser.newContext();
    const page = await openUnderServiceWorker(context, test.url);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Live and upcoming events');
    // What needs the network says so, rather than the page failing to load.
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Could not load the events.');
    await context.close();
  });
});
