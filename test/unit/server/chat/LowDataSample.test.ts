import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../../shared/chat';
import { LOW_DATA_HISTORY_MESSAGES, LowDataSample, lowDataHistory } from '../../../../server/chat/LowDataSample';

const message = (id: number, at: number, role: 'attendee' | 'organizer' = 'attendee'): ChatEntry => ({
  kind: 'message',
  id,
  at,
  authorId: 'AAAAAAAAAAAAAAAA',
  clientId: `client-${id}`,
  name: 'A',
  role,
  text: `message ${id}`,
});

describe('LowDataSample', () => {
  it('takes at most one attendee message per interval, by the entries’ own time', () => {
    const sample = new LowDataSample(5_000);
    // 20 messages a second for 12 s.
    const taken = Array.from({ length: 240 }, (_, i) => message(i + 1, 1_000 + i * 50)).filter((entry) => sample.takes(entry));
    expect(taken.map((entry) => entry.at)).toEqual([1_000, 6_000, 11_000]);
  });

  it('always takes organizer messages and moderation entries, without using up the sample', () => {
    const sample = new LowDataSample(5_000);
    expect(sample.takes(message(1, 0))).toBe(true);
    expect(sample.takes(message(2, 10, 'organizer'))).toBe(true);
    expect(sample.takes({ kind: 'pinned', id: 3, at: 20, text: 'Bring water' })).toBe(true);
    expect(sample.takes({ kind: 'deleted', id: 4, at: 30, messageId: 1 })).toBe(true);
    expect(sample.takes({ kind: 'muted', id: 5, at: 40, authorId: 'BBBBBBBBBBBBBBBB', until: null })).toBe(true);
    expect(sample.takes(message(6, 4_999))).toBe(false);
    expect(sample.takes(message(7, 5_000))).toBe(true);
  });

  it('chooses the same sample in every process that applies the same entries', () => {
    const entries = Array.from({ length: 100 }, (_, i) => message(i + 1, i * 137));
    const one = new LowDataSample(2_000);
    const other = new LowDataSample(2_000);
    expect(entries.filter((e) => one.takes(e))).toEqual(entries.filter((e) => other.takes(e)));
  });
});

describe('lowDataHistory', () => {
  it('keeps moderation, organizer messages and only the newest attendee messages', () => {
    const history: ChatEntry[] = [
      { kind: 'pinned', id: 1, at: 1, text: 'Bring water' },
      message(2, 2, 'organizer'),
      ...Array.from({ length: 30 }, (_, i) => message(i + 3, i + 3)),
    ];
    const kept = lowDataHistory(history);
    expect(kept.map((entry) => entry.id)).toEqual([1, 2, ...Array.from({ length: LOW_DATA_HISTORY_MESSAGES }, (_, i) => 23 + i)]);
    expect(lowDataHistory(history.slice(0, 5))).toEqual(history.slice(0, 5));
  });
});
