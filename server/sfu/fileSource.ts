import type { FfmpegSource } from './FfmpegPublisher';
import { uploadedInputArgs } from './probeMedia';
import { SLATE_COLOUR, slateText } from './slate';
/** A still picture changes never: 5 frames a second keeps keyframes frequent and costs almost nothing. */
const STILL_FPS = 5;
const FIT_720P = `scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:-1:-1,setsar=1,fps=${STILL_FPS}`;

export interface FileSourceOptions {
  media: string;
  /** The allowed demuxer ffprobe read each file with; ffmpeg is held to it. */
  mediaDemuxer: string;
  mediaHasVideo: boolean;
  durationSeconds: number;
  /** Shown while an audio-only file plays; without it, a plain slate with the event title. */
  image: { file: string; demuxer: string } | undefined;
  /**
   * A text file holding the event title, for the slate: the title never enters the filter string, so
   * none of its characters can end an option or a filter.
   */
  titleFile: string;
  /** The font to draw the title with (`fontFor(title)`: an Urdu title needs Arabic script); DejaVu by default. */
  titleFont?: string | undefined;
  /** Play the file again and again (`-stream_loop`) rather than once. */
  loop: boolean;
  /** Where in the recording to begin: a broadcast resumed on a new worker plays on from where it was. */
  startAtSeconds?: number;
}

/**
 * An uploaded recording as an organizer's broadcast: a video file plays as it is; an audio file plays
 * over a still image (the uploaded one, or a title slate), so every path still carries a picture.
 */
export function fileSource(options: FileSourceOptions): FfmpegSource {
  const { media, mediaDemuxer, mediaHasVideo, durationSeconds, image, titleFile, titleFont, loop, startAtSeconds = 0 } = options;
  const seek = startAtSeconds > 0 ? ['-ss', startAtSeconds.toFixed(2)] : [];
  const mediaInput = ['-re', ...(loop ? ['-stream_loop', '-1'] : []), ...seek, ...uploadedInputArgs(mediaDemuxer), '-i', media];
  if (mediaHasVideo) return { inputArgs: mediaInput, audio: '0:a:0', video: '0:v:0' };
  // The picture lasts as long as the sound: for ever when the sound loops.
  const duration = loop ? [] : ['-t', Math.max(0, durationSeconds - startAtSeconds).toFixed(2)];
  const still = image
    ? [...uploadedInputArgs(image.demuxer), '-loop', '1', '-framerate', String(STILL_FPS), ...duration, '-i', image.file]
    : ['-f', 'lavfi', ...duration, '-i', `color=c=${SLATE_COLOUR}:s=1280x720:r=${STILL_FPS}${slateText(titleFile, titleFont)}`];
  return {
    inputArgs: ['-re', ...still, ...mediaInput],
    audio: '1:a:0',
    video: '0:v:0',
    videoFilter: FIT_720P,
  };
}

/**
 * The slate held after a file broadcast's file ended (a PNG this server rendered, see EventStills) over
 * silence: viewers see why nothing is said, and every path keeps receiving something.
 */
export function holdSource(slate: string): FfmpegSource {
  return {
    inputArgs: [
      '-re', '-loop', '1', '-framerate', String(STILL_FPS), '-f', 'png_pipe', '-i', slate,
      '-re', '-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000',
    ],
    audio: '1:a:0',
    video: '0:v:0',
  };
}
