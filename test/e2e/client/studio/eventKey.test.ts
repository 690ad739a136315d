import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { OrganizerKey } from '../../../../shared/events';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

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
async function openStudio(slug: string, key: string): Promise<Page> {
  const studio = await test.browser.newPage();
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
