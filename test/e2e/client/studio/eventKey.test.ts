import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { OrganizerKey } from '../../../../shared/events';
import { ur } from '../../../../client/src/i18n/messages';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

/**
 * The event's studio (one server and browser for the file): its key controls (issue 11), and editing,
 * cancelling and deleting the event, in English and in Urdu (issue 12).
 */

const test = withServerAndBrowser();

async function keyAccepted(key: string, slug: string): Promise<number> {
  const response = await fetch(`${test.url}/api/auth/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ slug }),
  });
  return response.status;
}

/** Opens the event's studio on `key`, every confirmation accepted, once the server took the tab as organizer. */
async function openStudio(slug: string, key: string, context?: BrowserContext): Promise<Page> {
  const studio = await (context ?? test.browser).newPage();
  studio.on('dialog', (dialog) => void dialog.accept());
  await studio.goto(`${test.url}/studio/${slug}`);
  await studio.getByTestId('organizer-key-input').fill(key);
  await studio.getByTestId('organizer-key-save').click();
  await studio.getByTestId('rotate-key').waitFor();
  return studio;
}

const storedEventKey = (studio: Page, slug: string) =>
  studio.evaluate((item) => localStorage.getItem(item), `jalsa.eventKey.${slug}`);

describe('the event key in the studio', () => {
  it('rotates: shows the new key once, the old key is refused, another tab on it asks for a key, and this tab goes live and ends on the new one', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rotate from the studio');
    const studio = await openStudio(slug, eventKey);
    const otherTab = await openStudio(slug, eventKey);
    try {
      await studio.getByTestId('rotate-key').click();
      const shown = (await studio.getByTestId('rotated-key').getByTestId('event-key').textContent()) ?? '';
      expect(OrganizerKey.safeParse(shown).success).toBe(true);
      expect(shown).not.toBe(eventKey);
      expect(await keyAccepted(eventKey, slug)).toBe(401);
      expect(await keyAccepted(shown, slug)).toBe(204);
      expect(await storedEventKey(studio, slug)).toBe(shown);
      await otherTab.getByTestId('organizer-key-input').waitFor({ timeout: 5_000 });
      expect(await otherTab.getByRole('alert').textContent()).toBe('The saved key is not accepted for this event.');
      expect(await storedEventKey(otherTab, slug)).toBeNull();

      // The tab reconnected its sockets with the new key: the server lets it run the event.
      await studio.getByTestId('go-live').click();
      await expect.poll(() => studio.getByTestId('event-status').textContent(), { timeout: 5_000 }).toBe('live');
      await studio.getByTestId('end-event').click();
      await expect.poll(() => studio.getByTestId('event-status').textContent(), { timeout: 5_000 }).toBe('ended');
      expect(await studio.getByTestId('organizer-key-input').count()).toBe(0);
    } finally {
      await studio.close();
      await otherTab.close();
    }
  });

  it('revokes: the studio forgets the event key and says only the instance key runs the event now', async () => {
    const { slug, eventKey } = await createEvent(test, 'Revoke from the studio');
    const studio = await openStudio(slug, eventKey);
    try {
      await studio.getByTestId('revoke-key').click();
      await expect.poll(() => studio.getByRole('alert').textContent()).toMatch(/revoked\. Only the instance organizer key/);
      expect(await keyAccepted(eventKey, slug)).toBe(401);
      expect(await storedEventKey(studio, slug)).toBeNull();

      await studio.getByTestId('organizer-key-input').fill(test.server.instanceKey!);
      await studio.getByTestId('organizer-key-save').click();
      await studio.getByTestId('rotate-key').waitFor();
      expect(await studio.getByTestId('revoked-key').isVisible()).toBe(true);
    } finally {
      await studio.close();
    }
  });
});

async function eventOf(slug: string): Promise<{ status: number; title?: string; scheduledAt?: string | null }> {
  const response = await fetch(`${test.url}/api/events/${slug}`);
  return response.ok ? { status: response.status, ...((await response.json()) as { title: string }) } : { status: response.status };
}

describe('running the event from its studio', () => {
  it('edits, cancels and deletes the event; the watch and home pages say it was cancelled, then the watch page that it is gone', async () => {
    const { slug, eventKey } = await createEvent(test, 'Edit from the studio');
    const studio = await openStudio(slug, eventKey);
    const watch = await test.browser.newPage();
    try {
      await watch.goto(`${test.url}/e/${slug}`);
      await expect.poll(() => watch.getByTestId('connection-state').getAttribute('data-state')).toBe('waiting for the event to start');

      await studio.getByTestId('edit-title').fill('Edited in the studio');
      await studio.getByTestId('edit-scheduled-at').fill('2030-06-01T18:30');
      await studio.getByTestId('save-event').click();
      await studio.getByTestId('event-saved').waitFor();
      expect(await eventOf(slug)).toMatchObject({ title: 'Edited in the studio', scheduledAt: expect.stringMatching(/^2030-06-01T/) });
      await expect.poll(() => studio.locator('h1').textContent()).toBe('Edited in the studio');
      await expect.poll(() => watch.getByTestId('event-title').textContent()).toBe('Edited in the studio');

      await studio.getByTestId('cancel-event').click();
      await expect.poll(() => studio.getByTestId('event-status').getAttribute('data-status')).toBe('cancelled');
      await expect.poll(() => watch.getByTestId('connection-state').getAttribute('data-state')).toBe('cancelled');
      expect(await watch.getByTestId('watch-notice').textContent()).toBe('This event was cancelled by its organizer.');
      // The home page still lists it where it was due, marked cancelled, so nobody waits for it.
      await watch.goto(test.url);
      const listed = watch.getByTestId('home-events').locator('li', { has: watch.locator(`a[href="/e/${slug}"]`) });
      await expect.poll(() => listed.getAttribute('data-status')).toBe('cancelled');
      await watch.goto(`${test.url}/e/${slug}`);
      await expect.poll(() => watch.getByTestId('connection-state').getAttribute('data-state')).toBe('cancelled');

      await studio.getByTestId('delete-event').click();
      await studio.waitForURL(`${test.url}/studio`);
      expect((await eventOf(slug)).status).toBe(404);
      expect(await storedEventKey(studio, slug)).toBeNull();
      await expect.poll(() => watch.getByTestId('connection-state').getAttribute('data-state')).toBe('not found');
    } finally {
      await studio.close();
      await watch.close();
    }
  });

  it('lists the events with their status, and runs them in Urdu, right to left, problems said in Urdu too', async () => {
    const { slug, eventKey } = await createEvent(test, 'جلسہ اسٹوڈیو');
    const context = await test.browser.newContext({ locale: 'ur-PK' });
    try {
      const studio = await openStudio(slug, eventKey, context);
      expect(await studio.evaluate(() => document.documentElement.dir)).toBe('rtl');
      expect(await studio.getByTestId('event-status').textContent()).toBe('آنے والی');
      expect(await studio.getByTestId('go-live').textContent()).toBe('نشریات شروع کریں');
      expect(await studio.getByTestId('delete-event').textContent()).toBe('تقریب مٹا دیں');

      // Problems are said in Urdu too: a form the shared schema refuses (a blank title passes the browser's
      // own check), and a server's refusal (a text file as the picture), never the English behind them.
      await studio.getByTestId('edit-title').fill('   ');
      await studio.getByTestId('save-event').click();
      await expect.poll(() => studio.getByTestId('manage-problem').textContent()).toBe(ur.problems.form.title);
      await studio.getByTestId('picture-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
      await studio.getByTestId('picture-save').click();
      await expect.poll(() => studio.getByTestId('studio-problem').textContent()).toBe(ur.problems.service.BAD_REQUEST);

      // Without the instance key, the studio lists the events whose key this device holds.
      await studio.goto(`${test.url}/studio`);
      const listed = studio.getByTestId('studio-events').locator(`li[data-slug="${slug}"]`);
      await expect.poll(() => listed.getByTestId('studio-event-status').textContent()).toBe('آنے والی');
      await studio.getByTestId('organizer-key-input').fill(test.server.instanceKey!);
      await studio.getByTestId('organizer-key-save').click();
      await expect.poll(() => studio.locator('h1').textContent()).toBe('اسٹوڈیو');
      expect(await studio.getByTestId('create-event').textContent()).toBe('تقریب بنائیں');
    } finally {
      await context.close();
    }
  });
});
