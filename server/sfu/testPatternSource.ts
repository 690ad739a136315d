import type { FfmpegSource } from './FfmpegPublisher';
import { boldFont } from './fonts';
import { timecodeFilters } from './timecode';

/**
 * A synthetic broadcast: a moving test picture with the wall-clock time burned in (so a viewer can
 * read the delay off the screen) and the looped `speech` track (see speechTrack.ts), or a beeping tone
 * without one. Used by `npm run demo`, benchmarks and tests. With `timecode`, the time is also stamped
 * machine-readably (see timecode.ts) for latency benchmarks.
 */
export function testPatternSource({
  width = 1280,
  height = 720,
  fps = 25,
  timecode = false,
  speech,
}: { width?: number; height?: number; fps?: number; timecode?: boolean; speech?: string } = {}): FfmpegSource {
  const font = boldFont();
  const clock = font
    ? `,drawtext=fontfile=${font}:text='%{localtime\\:%H\\\\\\:%M\\\\\\:%S}':fontsize=${Math.round(height / 8)}` +
      ':fontcolor=white:box=1:boxcolor=black@0.6:x=(w-tw)/2:y=h-th-20'
    : '';
  const stamp = timecode ? `,${timecodeFilters(width, height, fps)}` : '';
  return {
    inputArgs: [
      // With a timecode the `realtime` filter paces the picture, so that stamps are taken at capture time.
      ...(timecode ? [] : ['-re']), '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}${clock}${stamp}`,
      ...(speech
        ? ['-re', '-stream_loop', '-1', '-i', speech]
        : ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:beep_factor=4:sample_rate=48000']),
    ],
    video: '0:v:0',
    audio: '1:a:0',
  };
}
