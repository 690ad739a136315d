import { beforeAll, describe, expect, it } from 'vitest';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

const test = withServerAndBrowser();
let slug: string;

beforeAll(async () => {
  ({ slug } = await createEvent(test, 'جلسہ عام'));
});

const documentDirection = () => ({ lang: document.documentElement.lang, dir: document.documentElement.dir });

describe('the attendee pages in English and Urdu', () => {
  it('speak Urdu, right to left, to a browser set to Urdu', async () => {
    const context = await test.browser.newContext({ locale: 'ur-PK' });
    const page = await context.newPage();
    await page.goto(test.url);
    await expect.poll(() => page.locator('h1').textContent()).toBe('براہِ راست اور آنے والی تقریبات');
    expect(await page.evaluate(documentDirection)).toEqual({ lang: 'ur', dir: 'rtl' });
    await page.goto(`${test.url}/e/${slug}`);
    await expect.poll(() => page.getByTestId('connection-state').textContent()).toBe('تقریب شروع ہونے کا انتظار');
    expect(await page.getByTestId('event-title').textContent()).toBe('جلسہ عام');
    await context.close();
  });

  it('switch language from the header and remember the choice', async () => {
    const context = await test.browser.newContext({ locale: 'ur-PK' });
    const page = await context.newPage();
    await page.goto(test.url);
    await page.getByTestId('language-en').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Live and upcoming events');
    expect(await page.evaluate(documentDirection)).toEqual({ lang: 'en', dir: 'ltr' });
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Live and upcoming events');
    await page.getByTestId('language-ur').click();
    expect(await page.evaluate(documentDirection)).toEqual({ lang: 'ur', dir: 'rtl' });
    await context.close();
  });

  it('speak English to other browsers', async () => {
    const context = await test.browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${test.url}/replay`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Recordings');
    expect(await page.evaluate(documentDirection)).toEqual({ lang: 'en', dir: 'ltr' });
    await context.close();
  });
});
