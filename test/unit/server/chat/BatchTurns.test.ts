import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../../shared/chat';
import { BatchTurns, batchGroup, type FeedBatches } from '../../../../server/chat/BatchTurns';

function message(id: number): ChatEntry {
  return { kind: 'message', id, at: id, authorId: 'AAAAAAAAAAAAAAAA', clientId: `client-${id}`, name: 'A', role: 'attendee', text: 'hi' };
}

/** A tick's take with one new message on the full feed, and on the low-data feed when `low`. */
function tick(id: number, low = false): FeedBatches {
  return { full: { entries: [message(id)] }, ...(low ? { low: { entries: [message(id)] } } : {}) };
}

const ids = (batches: FeedBatches, feed: 'full' | 'low' = 'full') => batches[feed]?.entries.map((entry) => entry.id);

describe('BatchTurns', () => {
  it('gives the groups their turns one after the other, each with everything since its previous turn', () => {
    const turns = new BatchTurns(3);
    const sent = Array.from({ length: 7 }, (_, i) => turns.next(tick(i + 1)));
    expect(sent.map((turn) => turn.group)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    // The first turns have only what there is so far; then each group gets the last three ticks.
    expect(sent.map((turn) => ids(turn.batches))).toEqual([[1], [1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7]]);
  });

  it('sends every group every entry exactly once, in order, over any number of ticks', () => {
    const groups = 4;
    const turns = new BatchTurns(groups);
    const received: number[][] = Array.from({ length: groups }, () => []);
    for (let id = 1; id <= 10; id++) {
      const { group, batches } = turns.next(tick(id));
      received[group]!.push(...ids(batches)!);
    }
    for (const { group, batches } of turns.rest(tick(11))) received[group]!.push(...(ids(batches) ?? []));
    for (const got of received) expect(got).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('gives every group, on closing, what it was not sent yet, also before every group had a turn', () => {
    const turns = new BatchTurns(3);
    turns.next(tick(1));
    const rest = turns.rest(tick(2));
    expect(rest.map(({ group, batches }) => [group, ids(batches)])).toEqual([
      [0, [2]],
      [2, [1, 2]],
      [1, [1, 2]],
    ]);
    // Closing twice sends nothing twice.
    expect(turns.rest({}).map((turn) => turn.batches)).toEqual([{}, {}, {}]);
  });

  it('leaves out a feed with nothing new in the ticks since a turn, and keeps the latest attendee count', () => {
    const turns = new BatchTurns(2);
    turns.next({ full: { entries: [], attendees: 5 }, low: { entries: [], attendees: 5 } });
    expect(turns.next(tick(1)).batches.low).toEqual({ entries: [], attendees: 5 });
    expect(turns.next({ full: { entries: [], attendees: 7 }, low: { entries: [], attendees: 7 } }).batches).toEqual({
      full: { entries: [message(1)], attendees: 7 },
      low: { entries: [], attendees: 7 },
    });
    turns.next({});
    expect(turns.next(tick(2)).batches).toEqual({ full: { entries: [message(2)] } });
  });

  it('keeps each feed to its own entries', () => {
    const turns = new BatchTurns(2);
    turns.next(tick(1, true));
    const { batches } = turns.next(tick(2));
    expect([ids(batches), ids(batches, 'low')]).toEqual([[1, 2], [1]]);
  });
});

describe('batchGroup', () => {
  it('gives an id the same group every time, within range', () => {
    const id = 'k3Jd9_aQpZx0-LmN7oTr';
    expect(batchGroup(id, 4)).toBe(batchGroup(id, 4));
    expect(batchGroup(id, 1)).toBe(0);
  });

  it('spreads random ids evenly enough over the groups', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[batchGroup(Buffer.from(`${i}:${i * 7919}`).toString('base64url'), 4)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
