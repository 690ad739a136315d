/**
 * A machine-readable wall clock burned into synthetic pictures, for measuring glass-to-glass latency:
 * a strip along the top of blocks, white start block, then the wall-clock milliseconds modulo 2^24
 * (about 4.6 hours) one bit per block, least significant first, then a black end block. Large
 * black-and-white blocks survive every encoder and scaler on the way to a viewer.
 */
export const TIMECODE_BITS = 24;
const BLOCKS = TIMECODE_BITS + 2;
const STRIP_HEIGHT_FRACTION = 1 / 12;

export interface TimecodeLayout {
  blockWidth: number;
  stripHeight: number;
}

/** Block sizes in a picture of the given size (the source's; scale them for any rung). */
export function timecodeLayout(width: number, height: number): TimecodeLayout {
  return { blockWidth: Math.floor(width / BLOCKS), stripHeight: Math.max(2, Math.round(height * STRIP_HEIGHT_FRACTION)) };
}

/**
 * ffmpeg filters stamping each frame with the wall clock when it leaves `realtime` (i.e. is captured).
 * Frame times become wall-clock milliseconds for the stamping and a regular clock again afterwards.
 */
export function timecodeFilters(width: number, height: number, fps: number): string {
  const { blockWidth: w, stripHeight: h } = timecodeLayout(width, height);
  const bits = Array.from(
    { length: TIMECODE_BITS },
    (_, i) => `drawbox=x=${(i + 1) * w}:y=0:w=${w}:h=${h}:color=white:t=fill:enable='mod(floor(t*1000/${2 ** i}),2)'`,
  );
  return [
    'realtime',
    'settb=1/1000',
    'setpts=RTCTIME/1000',
    `drawbox=x=0:y=0:w=${w * BLOCKS}:h=${h}:color=black:t=fill`,
    `drawbox=x=0:y=0:w=${w}:h=${h}:color=white:t=fill`,
    ...bits,
    `setpts=N*1000/${fps}`,
  ].join(',');
}

/** Which blocks of the strip are white for a time, left to right (for pictures drawn other than by ffmpeg). */
export function timecodeBlocks(ms: number): boolean[] {
  const value = ms % 2 ** TIMECODE_BITS;
  return [true, ...Array.from({ length: TIMECODE_BITS }, (_, i) => Math.floor(value / 2 ** i) % 2 === 1), false];
}

/**
 * Reads the milliseconds back from the luma (0–255) at each block's centre, `luma(x, y)` in the
 * source's coordinates; undefined when the start and end blocks are not there (no strip, or a blur).
 */
export function readTimecode(layout: TimecodeLayout, luma: (x: number, y: number) => number): number | undefined {
  const y = layout.stripHeight / 2;
  const bit = (block: number) => luma((block + 0.5) * layout.blockWidth, y) > 128;
  if (!bit(0) || bit(BLOCKS - 1)) return undefined;
  let value = 0;
  for (let i = 0; i < TIMECODE_BITS; i++) if (bit(i + 1)) value += 2 ** i;
  return value;
}

/** Milliseconds from a stamped time to `now`, both wall clock, across the counter's wrap. */
export function timecodeAge(stamped: number, now: number): number {
  const period = 2 ** TIMECODE_BITS;
  return (((now - stamped) % period) + period) % period;
}
