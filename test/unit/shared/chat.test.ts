import { describe, expect, it } from 'vitest';
import {
  ChatBatch,
  ChatReplayQuery,
  chatRequests,
  DisplayName,
  encodeChatBatch,
  MessageText,
  type ChatEntry,
} from '../../../shared/chat';

describe('chat schemas', () => {
  it('keeps text as typed, minus hidden characters and runs of blank lines', () => {
    expect(MessageText.parse('  Zinda\u202Ebad\u200B!  ')).toBe('Zindabad!');
    expect(MessageText.parse('line one\n\n\n\n\nline two')).toBe('line one\n\nline two');
    expect(MessageText.parse('<b>bold</b> https://example.org')).toBe('<b>bold</b> https://example.org');
    expect(MessageText.parse('جلسہ زندہ باد')).toBe('جلسہ زندہ باد');
    expect(DisplayName.parse(' Ayesha\nKhan ')).toBe('Ayesha Khan');
  });

  it('refuses empty, invisible and over-long text', () => {
    for (const bad of ['', '   ', '\u200B\u200F', '\n\n', 'x'.repeat(501), 42, null]) {
      expect(MessageText.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(MessageText.safeParse('x'.repeat(500)).success).toBe(true);
    expect(DisplayName.safeParse('n'.repeat(41)).success).toBe(false);
  });

  it('refuses names and messages made only of characters that show nothing, with a clear reason', () => {
    const invisible = {
      'Hangul fillers': '\u3164\u115F\u1160\uFFA0',
      'tag characters': '\u{E0041}\u{E0064}\u{E006D}\u{E0069}\u{E006E}\u{E007F}',
      'line and paragraph separators': '\u2028\u2029',
      'the Mongolian vowel separator': '\u180E',
      'variation selectors alone': '\uFE0F\uFE0E\u{E0100}',
      'combining marks alone': '\u0301\u0308',
      'the braille blank and a soft hyphen': '\u2800\u00AD',
      'a mix of them between spaces': ' \u3164 \u2800 \u{E0020} ',
    };
    for (const [what, text] of Object.entries(invisible)) {
      for (const schema of [DisplayName, MessageText]) {
        const parsed = schema.safeParse(text);
        expect(parsed.success, what).toBe(false);
        expect(parsed.error?.issues[0]?.message, what).toMatch(/must contain something visible/);
      }
    }
  });

  it('takes hidden characters out of visible names, and keeps emoji with their variation selector', () => {
    expect(DisplayName.parse('Ay\u3164esha\u{E0041}')).toBe('Ayesha');
    expect(DisplayName.parse('Ali\u2028Raza')).toBe('Ali Raza');
    expect(MessageText.parse('one\u2029two')).toBe('one\ntwo');
    expect(DisplayName.parse('\u2764\uFE0F Pakistan')).toBe('\u2764\uFE0F Pakistan');
    expect(DisplayName.parse('Zoë')).toBe('Zoë');
  });

  it('only takes base64url tokens as client keys, author ids and client message ids', () => {
    const [join] = chatRequests.join;
    expect(join.safeParse({ slug: 'rally-1', clientKey: 'a'.repeat(22) }).success).toBe(true);
    expect(join.safeParse({ slug: 'rally-1', clientKey: 'a'.repeat(21) }).success).toBe(false);
    expect(join.safeParse({ slug: 'rally-1', clientKey: `${'a'.repeat(22)}/` }).success).toBe(false);
    const [ban] = chatRequests.ban;
    expect(ban.safeParse({ authorId: 'A'.repeat(16), banned: true }).success).toBe(true);
    expect(ban.safeParse({ authorId: 'A'.repeat(15), banned: true }).success).toBe(false);
  });

  it('reads replay queries from strings and bounds them', () => {
    expect(ChatReplayQuery.parse({})).toEqual({ from: 0, limit: 200 });
    expect(ChatReplayQuery.parse({ after: '12', limit: '5' })).toEqual({ from: 0, after: 12, limit: 5 });
    for (const bad of [{ limit: '501' }, { from: '-1' }, { after: '0' }, { until: 'soon' }]) {
      expect(ChatReplayQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('encodes a batch without property names and reads it back, leaving only the client id out', () => {
    const author = 'AAAAAAAAAAAAAAAA';
    const at = 1_764_550_000_000;
    const entries: ChatEntry[] = [
      { kind: 'message', id: 1_000_001, at, authorId: author, clientId: 'client-1', name: 'Ayesha', role: 'attendee', text: 'جلسہ زندہ باد "<b>"' },
      { kind: 'message', id: 1_000_003, at: at + 40, authorId: author, clientId: 'client-2', name: 'Host', role: 'organizer', text: 'Welcome' },
      { kind: 'deleted', id: 1_000_004, at: at + 39, messageId: 1_000_001 },
      { kind: 'pinned', id: 1_000_005, at: at + 50, text: null },
      { kind: 'slowMode', id: 1_000_006, at: at + 60, seconds: 30 },
      { kind: 'muted', id: 1_000_007, at: at + 70, authorId: author, until: at + 600_000 },
      { kind: 'muted', id: 1_000_008, at: at + 80, authorId: author, until: null },
      { kind: 'banned', id: 1_000_009, at: at + 90, authorId: author, banned: true },
    ];
    const wire = encodeChatBatch({ entries, attendees: 12 });
    const withoutClientIds = entries.map((entry) => {
      if (entry.kind !== 'message') return entry;
      const { clientId: _, ...rest } = entry;
      return rest;
    });
    expect(ChatBatch.parse(JSON.parse(JSON.stringify(wire)))).toEqual({ entries: withoutClientIds, attendees: 12 });
    expect(ChatBatch.parse(encodeChatBatch({ entries: [] }))).toEqual({ entries: [] });
    // A typical line costs its text, name and author id, and a few bytes more.
    const line = JSON.stringify(encodeChatBatch({ entries: [entries[0]!, { ...entries[0]!, id: 1_000_002, at: at + 300 }] })[2]);
    expect(line).toBe(`[0,1,300,"${author}","Ayesha","جلسہ زندہ باد \\"<b>\\""]`);
  });

  it('refuses malformed batch frames', () => {
    const author = 'AAAAAAAAAAAAAAAA';
    for (const bad of [
      {},
      [],
      [-1],
      [null, [9, 1, 1, 'x']],
      [null, [0, 1, 1, author, 'A']],
      [null, [0, 1, 1, author, 'A', 42]],
      [null, [0, 0, 1, author, 'A', 'id 0 is no entry id']],
      [null, [0, 5, -10, author, 'A', 'before 1970']],
      [null, [0, 1.5, 1, author, 'A', 'hi']],
      [null, [0, 1, 1, 'short', 'A', 'not an author id']],
      [null, [4, 1, 1, 99_999]],
    ]) {
      expect(ChatBatch.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('refuses a feed other than full or low', () => {
    const [setFeed] = chatRequests.setFeed;
    expect(setFeed.safeParse({ feed: 'low' }).success).toBe(true);
    for (const bad of [{ feed: 'none' }, { feed: 'LOW' }, {}, { feed: 'low', extra: 1 }, null]) {
      expect(setFeed.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
