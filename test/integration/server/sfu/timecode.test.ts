import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readTimecode, timecodeAge, timecodeFilters, timecodeLayout, TIMECODE_BITS } from '../../../../server/sfu/timecode';

const run = promisify(execFile);

/** Frames of the test pattern with its timecode, as ffmpeg renders them, in 8-bit luma. */
async function stampedFrames(width: number, height: number, frames: number): Promise<Buffer[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25,${timecodeFilters(width, height, 25)}`,
      '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const size = width * height;
  return Array.from({ length: frames }, (_, i) => stdout.subarray(i * size, (i + 1) * size));
}

describe('timecode', () => {
  it('reads back from ffmpeg’s frames the wall-clock millisecond each was captured at', async () => {
    const [width, height] = [640, 360];
    const before = Date.now();
    const frames = await stampedFrames(width, height, 10);
    const after = Date.now();
    const layout = timecodeLayout(width, height);
    const stamps = frames.map((frame) => readTimecode(layout, (x, y) => frame[Math.floor(y) * width + Math.floor(x)]!));
    for (const stamp of stamps) {
      expect(stamp).toBeDefined();
      // Each stamp lies between starting ffmpeg and its end, on the clock the viewer also reads.
      expect(timecodeAge(stamp!, after)).toBeLessThanOrEqual(after - before);
      expect(timecodeAge(before, stamp!)).toBeLessThanOrEqual(after - before);
    }
    // In capture order: a frame stamped before the one ahead of it would be most of a period old.
    const steps = stamps.slice(1).map((s, i) => timecodeAge(stamps[i]!, s!));
    for (const step of steps) expect(step).toBeLessThanOrEqual(after - before);
  });

  it('finds no timecode in a picture without its strip', () => {
    const layout = timecodeLayout(640, 360);
    expect(readTimecode(layout, () => 0)).toBeUndefined();
    expect(readTimecode(layout, () => 255)).toBeUndefined();
  });

  it('measures ages across the counter’s wrap', () => {
    expect(timecodeAge(2 ** TIMECODE_BITS - 10, 2 ** TIMECODE_BITS + 15)).toBe(25);
    expect(timecodeAge(100, 2 ** TIMECODE_BITS * 3 + 150)).toBe(50);
  });
});
