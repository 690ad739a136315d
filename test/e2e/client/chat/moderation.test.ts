import { describe, expect, it } from 'vitest';
import { ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

const test = withServerAndBrowser();

describe('chat moderation in the studio', () => {
  it('bans an attendee from a message, lists it as banned, and lets it back in', async () => {
    const { slug, eventKey } = await createEvent(test, 'Moderated rally');
    const studio = await test.browser.newPage();
    studio.on('dialog', (dialog) => void dialog.accept());
    const network = { extraHeaders: { 'x-forwarded-for': '203.0.113.77' } };
    const troll = await ChatTestClient.open(test.url, network);
    try {
      await studio.goto(`${test.url}/studio/${slug}`);
      await studio.getByTestId('organizer-key-input').fill(eventKey);
      await studio.getByTestId('organizer-key-save').click();
      await troll.join(slug);
      await troll.ok('send', { clientId: randomToken(9), name: 'Troll', text: 'Something rude' });

      const removed = troll.next('removed');
      const message = studio.getByRole('listitem').filter({ hasText: 'Something rude' });
      await message.getByRole('button', { name: 'Ban' }).click();
      await removed;
      const banned = studio.getByRole('listitem').filter({ hasText: 'Troll' }).filter({ has: studio.getByRole('button', { name: 'Let back in' }) });
      await banned.getByRole('button', { name: 'Let back in' }).click();
      await expect.poll(() => studio.getByRole('button', { name: 'Let back in' }).count(), { timeout: 10_000 }).toBe(0);

      const back = await ChatTestClient.open(test.url, { clientKey: troll.clientKey, ...network });
      await back.join(slug);
      expect((await back.request('send', { clientId: randomToken(9), name: 'Troll', text: 'Sorry' })).ok).toBe(true);
    } finally {
      ChatTestClient.closeAll();
      await studio.close();
    }
  });
});
