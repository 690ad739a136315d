import { describe, expect, it } from 'vitest';
import { holeJump, skippedSpan } from '../../../../client/src/player/SkippedSpans';
import { ranges } from '../../../helpers/timeRanges';

const timeline = (currentTime: number, ...buffered: Array<[number, number]>) => ({ currentTime, buffered: ranges(...buffered) });

describe('SkippedSpans', () => {
  describe('skippedSpan', () => {
    it('finds the hole a segment placed beyond the buffer leaves, when the live window moved past the next one', () => {
      expect(skippedSpan(timeline(9.5, [4, 10]), 18)).toEqual({ from: 10, to: 18 });
    });

    it('sees none for the segment that follows the buffer, frame rounding included', () => {
      expect(skippedSpan(timeline(9.5, [4, 10]), 10)).toBeNull();
      expect(skippedSpan(timeline(9.5, [4, 10]), 10.04)).toBeNull();
    });

    it('sees none before anything is buffered: a first segment is placed where playback begins', () => {
      expect(skippedSpan(timeline(0), 120)).toBeNull();
    });

    it('sees none when the playhead was sent away from the buffer: the new segment is where it went', () => {
      expect(skippedSpan(timeline(200, [100, 130]), 198)).toBeNull();
      expect(skippedSpan(timeline(10, [100, 130]), 8)).toBeNull();
    });
  });

  describe('holeJump', () => {
    const holes = [{ from: 10, to: 18 }];
    const covers = (buffered: Array<[number, number]>) => (time: number) => buffered.some(([s, e]) => s <= time && e >= time + 0.3);

    it('moves a playhead stalled at the hole to its far side once that is buffered', () => {
      expect(holeJump(9.9, holes, covers([[4, 10], [18, 20]]))).toBe(18);
    });

    it('waits while the far side is not buffered yet', () => {
      expect(holeJump(9.9, holes, covers([[4, 10]]))).toBeNull();
    });

    it('leaves a playhead that stalled before reaching the hole: what is buffered up to it still plays', () => {
      expect(holeJump(6, holes, covers([[4, 10], [18, 20]]))).toBeNull();
    });

    it('leaves a playhead past the hole', () => {
      expect(holeJump(19, holes, covers([[4, 10], [18, 20]]))).toBeNull();
    });
  });
});
