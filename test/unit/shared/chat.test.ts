import { describe, expect, it } from 'vitest';
import { ChatReplayQuery, chatRequests, DisplayName, MessageText } from '../../../shared/chat';

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
});
