import type { FfmpegSource } from './FfmpegPublisher';
import { boldFont } from './fonts';
import { uploadedInputArgs } from './probeMedia';
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
}

/**
 * An uploaded recording as an organizer's broadcast: a video file plays as it is; an audio file plays
 * over a still image (the uploaded one, or a title slate), so every path still carries a picture.
 */
export function fileSource({ media, mediaDemuxer, mediaHasVideo, durationSeconds, image, titleFile }: FileSourceOptions): FfmpegSource {
  const mediaInput = ['-re', ...uploadedInputArgs(mediaDemuxer), '-i', media];
  if (mediaHasVideo) return { inputArgs: mediaInput, audio: '0:a:0', video: '0:v:0' };
  const duration = durationSeconds.toFixed(2);
  const still = image
    ? [...uploadedInputArgs(image.demuxer), '-loop', '1', '-framerate', String(STILL_FPS), '-t', duration, '-i', image.file]
    : ['-f', 'lavfi', '-t', duration, '-i', `color=c=0x14213d:s=1280x720:r=${STILL_FPS}${slateText(titleFile)}`];
  return {
    inputArgs: ['-re', ...still, ...mediaInput],
    audio: '1:a:0',
    video: '0:v:0',
    videoFilter: FIT_720P,
  };
}

/**
 * The title drawn as it was typed: `expansion=none`, or drawtext would read `%{…}` in it as a function
 * (`%{pts}`, `%{eif:…}`) and a lone `%` as an error, and draw nothing. The paths are escaped for both
 * levels of filtergraph syntax, since a data directory may have `:` or `,` in its name.
 */
function slateText(titleFile: string): string {
  const font = boldFont();
  if (!font) return '';
  return (
    `,drawtext=fontfile=${filterValue(font)}:textfile=${filterValue(titleFile)}:expansion=none` +
    ':fontsize=56:fontcolor=white:x=(w-tw)/2:y=(h-th)/2'
  );
}

/**
 * A value safe inside a filtergraph option: escaped first as an option value (`\`, `'`, `:`), then as
 * part of the filtergraph (`\`, `'`, `[`, `]`, `,`, `;`), as ffmpeg's filter documentation describes.
 */
export function filterValue(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}
