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
