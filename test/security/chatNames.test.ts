import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../shared/chat';
import { ChatTestClient, randomToken } from '../helpers/ChatTestClient';
import { createEvent, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Invisible names and messages (issue 11, hole 10), sent by a real `/chat` client to the real server:
 * blanks that count as letters (Hangul fillers), tag characters and line separators must not make a
 * name that shows nothing, nor reach other attendees.
 */

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer();
});
afterEach(ChatTestClient.closeAll);
afterAll(async () => {
  await test.close();
});

describe('invisible names and messages', () => {
  it('refuses them with a clear reason, strips hidden characters from visible ones, and others chat on', async () => {
    const { slug } = await createEvent(test);
    const attacker = await ChatTestClient.open(test.url);
    const attendee = await ChatTestClient.open(test.url);
    await attacker.join(slug);
    await attendee.join(slug);
    const send = (name: string, text: string) => attacker.request('send', { clientId: randomToken(9), name, text });

    for (const name of ['\u3164', '\u115F\u1160\uFFA0', '\u{E0041}\u{E0064}\u{E007F}', '\u2028\u2029', '\u180E\uFE0F', ' \u2800 ']) {
      const refused = await send(name, 'hello');
      expect(refused, JSON.stringify(name)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      if (!refused.ok) expect(refused.error.message).toMatch(/must contain something visible/);
    }
    expect(await send('Ayesha', '\u3164\u{E0020}\u2029')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    expect((await send('Ali\u3164\u{E0041}', 'zinda\u2028bad')).ok).toBe(true);
    const entries = await attendee.waitFor((all) => all.some((e) => e.kind === 'message'), 'the visible message');
    const messages = entries.filter((e): e is ChatMessage => e.kind === 'message');
    expect(messages.map(({ name, text }) => ({ name, text }))).toEqual([{ name: 'Ali', text: 'zinda\nbad' }]);
  });
});
