import { describe, expect, it } from 'vitest';
import { cutoverPosition, firstPosition, incomingStart, playoutRate, primeStep, reserveTarget, steerTarget } from '../../../../client/src/player/HlsPlayback';
import type { PlaybackMode } from '../../../../client/src/player/ModeController';
import { bufferedCovers } from '../../../../client/src/player/Pipe';
import { ranges } from '../../../helpers/timeRanges';


/** A pipe as the decisions read it: its buffer and playhead, in event time. */
function pipe(
  currentTime: number,
  buffered: Array<[number, number]>,
  { mode = 'video', startTime = null }: { mode?: PlaybackMode; startTime?: number | null } = {},
) {
  const timeline = { currentTime, buffered: ranges(...buffered) };
  return { mode, startTime, timeline, covers: (time: number) => bufferedCovers(timeline, time) };
}

describe('HlsPlayback', () => {
  describe('incomingStart', () => {
    it('starts an incoming video pipe ahead of the sound playing now', () => {
      expect(incomingStart('video', pipe(100, [[90, 110]]).timeline, null, false)).toBe(102);
    });

    it('fetches the sound from as far ahead as its first segments take, so the video plays on meanwhile', () => {
      expect(incomingStart('audio', pipe(100, [[90, 110]]).timeline, null, false)).toBe(105);
    });

    it('fetches the sound from where a shorter video buffer ends', () => {
      expect(incomingStart('audio', pipe(100, [[90, 102]]).timeline, null, false)).toBe(101);
    });

    it('fetches the sound from the playhead when the attendee chose audio only', () => {
      expect(incomingStart('audio', pipe(100, [[90, 110]]).timeline, null, true)).toBe(100);
    });

    it('never starts the sound behind the playhead, even with little buffered', () => {
      expect(incomingStart('audio', pipe(100, [[99, 100.5]]).timeline, null, false)).toBe(100);
    });

    it('resumes where a failed pipe stopped when nothing plays', () => {
      expect(incomingStart('video', null, 42, false)).toBe(42);
      expect(incomingStart('audio', null, null, false)).toBeNull();
    });
  });

  describe('cutoverPosition', () => {
    it('waits for a cushion while the old pipe still plays', () => {
      expect(cutoverPosition(pipe(0, [[100, 101]]), 100, true)).toBeNull();
      expect(cutoverPosition(pipe(0, [[100, 103]]), 100, true)).toBe(100);
    });

    it('does not take over while the old pipe plays short of where the incoming one begins', () => {
      // The sound fetched from where the video buffer ends: its cushion's end is covered 2 s before its start is.
      expect(cutoverPosition(pipe(0, [[108, 112]]), 106, true)).toBeNull();
      expect(cutoverPosition(pipe(0, [[108, 112]]), 108, true)).toBe(108);
    });

    it('takes over from a stalled pipe as soon as it can play at all', () => {
      expect(cutoverPosition(pipe(0, [[100, 100.5]]), 100, false)).toBe(100);
    });

    it('skips a short gap ahead of a stalled pipe, but not a long one', () => {
      expect(cutoverPosition(pipe(0, [[102, 106]]), 100, false)).toBe(102);
      expect(cutoverPosition(pipe(0, [[104, 108]]), 100, false)).toBeNull();
    });

    it('does not take over where too little is buffered past a gap', () => {
      expect(cutoverPosition(pipe(0, [[102, 102.1]]), 100, false)).toBeNull();
    });
  });

  describe('firstPosition', () => {
    it('takes where hls.js placed the playhead when it is buffered there (the live sync point)', () => {
      expect(firstPosition(pipe(50, [[48, 56]], { startTime: 40 }))).toBe(50);
    });

    it('falls back to where the pipe began buffering', () => {
      expect(firstPosition(pipe(0, [[40, 46]], { startTime: 40 }))).toBe(40);
      expect(firstPosition(pipe(0, [], { startTime: null }))).toBeNull();
    });
  });

  describe('steerTarget', () => {
    it('sends an incoming video pipe that fell behind ahead of the playing position', () => {
      expect(steerTarget(10_000, 0, pipe(80, [[80, 90]]), 100)).toBe(102);
    });

    it('sends an incoming audio pipe to the playing position itself', () => {
      expect(steerTarget(10_000, 0, pipe(80, [[80, 90]], { mode: 'audio' }), 100)).toBe(100);
    });

    it('leaves a pipe that covers the position or is about there', () => {
      expect(steerTarget(10_000, 0, pipe(80, [[95, 105]]), 100)).toBeNull();
      expect(steerTarget(10_000, 0, pipe(99.6, [[99.6, 99.7]]), 100)).toBeNull();
    });

    it('leaves a pipe that has buffered nothing yet to load where it was sent', () => {
      expect(steerTarget(10_000, 0, pipe(0, []), 100)).toBeNull();
      expect(steerTarget(10_000, 0, pipe(0, [], { mode: 'audio' }), 100)).toBeNull();
    });

    it('gives a steered pipe time to load before steering it again', () => {
      expect(steerTarget(10_000, 8_000, pipe(80, [[80, 90]]), 100)).toBeNull();
      expect(steerTarget(11_000, 8_000, pipe(80, [[80, 90]]), 100)).toBe(102);
    });
  });

  describe('the reserve sound', () => {
    it('follows the video playhead once a second or more apart, either way', () => {
      expect(reserveTarget(pipe(98.5, [[90, 110]]).timeline, 100)).toBe(100);
      expect(reserveTarget(pipe(101.5, [[90, 110]]).timeline, 100)).toBe(100);
      expect(reserveTarget(pipe(99.2, [[90, 110]]).timeline, 100)).toBeNull();
    });
  });

  describe('primeStep: video taking over from the sound', () => {
    const READY = 4;
    const video = (currentTime: number, { seeking = false, readyState = READY } = {}) => ({ currentTime, seeking, readyState });

    it('first seeks the paused picture a little ahead of the sound, which plays on', () => {
      expect(primeStep(video(102), 100)).toEqual({ action: 'seek', to: 100.6 });
    });

    it('seeks again when the sound overtook the picture while it got ready', () => {
      expect(primeStep(video(100.6), 101)).toEqual({ action: 'seek', to: 101.6 });
    });

    it('waits while the picture seeks or has no frame to go on with', () => {
      expect(primeStep(video(100.6, { seeking: true }), 100.2)).toEqual({ action: 'poll' });
      expect(primeStep(video(100.6, { readyState: 1 }), 100.2)).toEqual({ action: 'poll' });
    });

    it('waits for the sound to reach the ready picture, then swaps', () => {
      const waiting = primeStep(video(100.6), 100.2);
      expect(waiting.action).toBe('wait');
      expect(waiting.action === 'wait' && waiting.ms).toBeCloseTo(350);
      expect(primeStep(video(100.6), 100.55)).toEqual({ action: 'swap' });
      expect(primeStep(video(100.6), 100.65)).toEqual({ action: 'swap' });
    });
  });

  describe('playoutRate: live sound running low', () => {
    it('plays a tenth slower with less than 2 s buffered, stalled included', () => {
      expect(playoutRate(1, 1.5)).toBe(0.9);
      expect(playoutRate(1, 0)).toBe(0.9);
    });

    it('keeps the rate it has between 2 and 4 s, so it does not flap', () => {
      expect(playoutRate(0.9, 3)).toBe(0.9);
      expect(playoutRate(1, 3)).toBe(1);
    });

    it('goes back to normal speed once more than 4 s are buffered', () => {
      expect(playoutRate(0.9, 4.5)).toBe(1);
    });
  });
});
