import { describe, expect, it } from 'vitest';
import {
  nextStep,
  reloadWanted,
  retryDelay,
  segmentIndexFrom,
  skipsMissingSegment,
  sourceIdle,
} from '../../../../client/src/player/AudioPipe';
import { HttpStatusError } from '../../../../client/src/player/fetchMetered';
import { firstSegmentIndex, type MediaPlaylist, type PlaylistSegment } from '../../../../client/src/player/MediaPlaylist';

/**
 * `count` two-second segments numbered from `from` (a live window's first); a new initialisation
 * segment from each index in `discontinuities`.
 */
function playlist(count: number, { ended = false, discontinuities = [] as number[], from = 0 } = {}): MediaPlaylist {
  const segments: PlaylistSegment[] = [];
  let init = 0;
  for (let index = from; index < from + count; index++) {
    const discontinuity = discontinuities.includes(index);
    if (discontinuity) init += 1;
    const url = `http://jalsa.test/s${index}`;
    segments.push({ index, start: index * 2, duration: 2, url, initUrl: `http://jalsa.test/i${init}`, discontinuity });
  }
  return { targetDuration: 2, segments, ended, duration: (from + count) * 2 };
}

describe('AudioPipe', () => {
  describe('segmentIndexFrom', () => {
    it('continues another rung at the segment beginning where the current rung\'s next one begins', () => {
      expect(segmentIndexFrom(playlist(10), 8)).toBe(4);
    });

    it('does not refetch a segment already played when the other rung\'s frames end a little later', () => {
      const shifted = playlist(10);
      shifted.segments[3]!.duration = 2.02;
      expect(segmentIndexFrom(shifted, 8)).toBe(4);
    });

    it('waits for a playlist that has not reached that moment yet', () => {
      expect(segmentIndexFrom(playlist(3), 8)).toBe(3);
    });
  });

  describe('firstSegmentIndex', () => {
    it('starts a live event a few segments behind its newest, to buffer against a slow link', () => {
      expect(firstSegmentIndex(playlist(10), { live: true, startPosition: null })).toBe(7);
    });

    it('starts a short live playlist at its beginning', () => {
      expect(firstSegmentIndex(playlist(2), { live: true, startPosition: null })).toBe(0);
    });

    it('starts a finished recording at its beginning, even when played as live', () => {
      expect(firstSegmentIndex(playlist(10, { ended: true }), { live: true, startPosition: null })).toBe(0);
      expect(firstSegmentIndex(playlist(10, { ended: true }), { live: false, startPosition: null })).toBe(0);
    });

    it('starts a live window a few segments behind its newest, numbered as the whole playlist', () => {
      expect(firstSegmentIndex(playlist(6, { from: 5_400 }), { live: true, startPosition: null })).toBe(5_403);
      expect(firstSegmentIndex(playlist(2, { from: 5_400 }), { live: true, startPosition: null })).toBe(5_400);
    });

    it('starts at the segment playing at the asked position', () => {
      expect(firstSegmentIndex(playlist(10), { live: true, startPosition: 9.5 })).toBe(4);
      expect(firstSegmentIndex(playlist(10), { live: false, startPosition: 100 })).toBe(9);
    });
  });

  describe('nextStep', () => {
    it('fetches the next segment together with the one after it', () => {
      const list = playlist(5);
      expect(nextStep(list, 2, true, 4)).toEqual({ action: 'fetch', segment: list.segments[2], following: list.segments[3] });
    });

    it('does not fetch past a discontinuity alongside: the next segment needs another initialisation', () => {
      const list = playlist(5, { discontinuities: [3] });
      expect(nextStep(list, 2, true, 4)).toEqual({ action: 'fetch', segment: list.segments[2], following: null });
    });

    it('fetches the last known segment alone', () => {
      const list = playlist(3);
      expect(nextStep(list, 2, true, 0)).toEqual({ action: 'fetch', segment: list.segments[2], following: null });
    });

    it('waits while loading is stopped or the buffer holds half a minute', () => {
      expect(nextStep(playlist(5), 2, false, 0)).toEqual({ action: 'wait', ms: 1_000, endOfStream: false });
      expect(nextStep(playlist(5), 2, true, 31)).toEqual({ action: 'wait', ms: 1_000, endOfStream: false });
    });

    it('finds segments of a live window by their number', () => {
      const list = playlist(6, { from: 5_400 });
      expect(nextStep(list, 5_402, true, 0)).toEqual({ action: 'fetch', segment: list.segments[2], following: list.segments[3] });
      expect(nextStep(list, 5_406, true, 0)).toEqual({ action: 'wait', ms: 2_000, endOfStream: false });
    });

    it('goes on from a window’s first segment when the window moved past the next one', () => {
      const list = playlist(6, { from: 5_400 });
      expect(nextStep(list, 5_100, true, 0)).toEqual({ action: 'fetch', segment: list.segments[0], following: list.segments[1] });
    });

    it('waits a target duration for a live playlist to grow', () => {
      expect(nextStep(playlist(5), 5, true, 0)).toEqual({ action: 'wait', ms: 2_000, endOfStream: false });
    });

    it('ends the stream after the last segment of a finished playlist', () => {
      expect(nextStep(playlist(5, { ended: true }), 5, true, 40)).toEqual({ action: 'wait', ms: 2_000, endOfStream: true });
    });
  });

  describe('reloadWanted', () => {
    it('skips reloading a live playlist while segments are known well ahead', () => {
      // Segments up to number 9 are known.
      expect(reloadWanted(9, 7)).toBe(false);
      expect(reloadWanted(9, 8)).toBe(true);
      expect(reloadWanted(9, 10)).toBe(true);
      expect(reloadWanted(5_409, 5_407)).toBe(false);
    });
  });

  describe('sourceIdle', () => {
    it('calls the source idle after three target durations without a new segment', () => {
      expect(sourceIdle(6_000, 0, 2)).toBe(false);
      expect(sourceIdle(6_001, 0, 2)).toBe(true);
    });
  });

  describe('skipsMissingSegment', () => {
    it('skips a segment only once it was missing four times', () => {
      expect(skipsMissingSegment(new HttpStatusError(404), 3)).toBe(false);
      expect(skipsMissingSegment(new HttpStatusError(404), 4)).toBe(true);
    });

    it('never skips for other failures: a weak link retries', () => {
      expect(skipsMissingSegment(new HttpStatusError(503), 10)).toBe(false);
      expect(skipsMissingSegment(new TypeError('fetch failed'), 10)).toBe(false);
    });
  });

  describe('retryDelay', () => {
    it('backs off from one to eight seconds and stays there', () => {
      expect([1, 2, 3, 4, 5, 50].map(retryDelay)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    });
  });
});
