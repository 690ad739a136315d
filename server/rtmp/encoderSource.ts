import type { Readable } from 'node:stream';
import type { FfmpegSource } from '../sfu/FfmpegPublisher';

/**
 * At most 720p and 25 frames a second, whatever the encoder sends: the VP8 encode is what costs, and
 * it grows with pixels and frames. 720p25 is the HLS ladder's top rung (shared/ladder.ts): more would
 * be thrown away by the packager anyway.
 */
const ENCODER_VIDEO_FILTER = "scale=w=-2:h='min(720,ih)',fps=25";

/**
 * An encoder's RTMP stream (FLV arriving on `flv`) as a source for {@link FfmpegPublisher}.
 *
 * The video is transcoded (H.264 → VP8), not passed through, although that costs a core's fraction
 * per event: the rooms' router speaks VP8 only (every browser decodes it, the packager and the
 * attendees' layer choice are built on it), and ffmpeg cannot answer a viewer's keyframe request,
 * so the stream must carry frequent keyframes itself, which OBS's default (one every 250 frames)
 * does not. Measured on this project's 2-core machine (H.264 at 4.5 Mbps in, the arguments of
 * FfmpegPublisher out): about 0.8 of a core per event for a 720p30 encoder, 1.2 for 1080p60 even
 * capped (decoding it costs too); the cap (above) keeps 1080p60 from costing some four times as much.
 * The sound is speech: Opus, mono, as the organizer's microphone would send it.
 */
export function encoderSource(flv: Readable): FfmpegSource {
  return {
    inputArgs: ['-f', 'flv', '-i', 'pipe:0'],
    audio: '0:a:0',
    video: '0:v:0',
    videoFilter: ENCODER_VIDEO_FILTER,
    stdin: flv,
  };
}
