import { AUDIO_SAMPLE_RATE, audioRung, SEGMENT_SECONDS, SPEECH_FRAME_MS, speechRung, videoRungs } from '../../shared/ladder';
import { FFMPEG_VARIANT, runFiles } from '../../shared/recordingLayout';

export interface PackagerArgsOptions {
  sdpFile: string;
  runDir: string;
  posterFile: string;
  hasVideo: boolean;
  hasAudio: boolean;
  /**
   * Without video in the RTP: a still picture (a PNG this server wrote, see EventStills) made into the
   * video rungs and the poster, so that an organizer on a microphone alone still has a picture on every path.
   */
  stillFile?: string;
}

/** Seconds between poster refreshes: the still picture audio-only attendees see. */
export const POSTER_INTERVAL_SECONDS = 5;

/**
 * Frames a second of video made from a still: one is enough for a picture that never moves, and with a
 * keyframe per segment each rung's video costs a few kilobytes per segment (see BENCHMARKS.md).
 */
export const STILL_FPS = 1;
/** Quality, not bitrate, for a still: a bitrate target would spend the whole rate on one frame a second. */
const STILL_CRF = 30;

/**
 * ffmpeg arguments for one packager run: decode the SFU's RTP once, encode every rung with keyframes
 * forced on the same segment boundaries, write fMP4 HLS per rung (and a small poster JPEG).
 */
export function packagerArgs({ sdpFile, runDir, posterFile, hasVideo, hasAudio, stillFile }: PackagerArgsOptions): string[] {
  const args = [
    // -y: the poster from an earlier run is overwritten, never a reason to stop.
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-protocol_whitelist', 'file,udp,rtp',
    // RTP from a live source: do not wait long probing, and reorder a little for loss and jitter.
    '-analyzeduration', '3000000', '-probesize', '5000000', '-reorder_queue_size', '256',
    '-fflags', '+genpts',
    '-i', sdpFile,
  ];
  let inputs = 1;
  // A speaker without a microphone still needs an audio track in every variant.
  let audioInput = '0:a';
  if (!hasAudio) {
    args.push('-f', 'lavfi', '-i', `anullsrc=channel_layout=mono:sample_rate=${AUDIO_SAMPLE_RATE}`);
    audioInput = `${inputs++}:a`;
  }
  let videoInput: string | undefined = hasVideo ? '0:v' : undefined;
  const still = !hasVideo && stillFile !== undefined;
  if (still) {
    // -re: read at the pace of the live sound, not as fast as ffmpeg can loop one picture.
    args.push('-re', '-loop', '1', '-framerate', String(STILL_FPS), '-f', 'png_pipe', '-i', stillFile);
    videoInput = `${inputs++}:v`;
  }
  const withVideo = videoInput !== undefined;

  // Every AAC rung, then the Opus speech rung.
  const rungCount = (withVideo ? videoRungs.length : 0) + 2;
  const filters = [`[${audioInput}]aresample=${AUDIO_SAMPLE_RATE}:async=1,asplit=${rungCount}${labels('a', rungCount)}`];
  if (withVideo) {
    const split = videoRungs.length + 1;
    filters.push(`[${videoInput}]split=${split}${labels('s', split)}`);
    videoRungs.forEach((rung, i) => {
      filters.push(
        `[s${i}]fps=${still ? STILL_FPS : rung.fps},scale=${rung.width}:${rung.height}:force_original_aspect_ratio=decrease,` +
          `pad=${rung.width}:${rung.height}:-1:-1,setsar=1,format=yuv420p[v${i}]`,
      );
    });
    filters.push(`[s${videoRungs.length}]fps=1/${POSTER_INTERVAL_SECONDS},scale=320:-2[poster]`);
  }
  args.push('-filter_complex', filters.join(';'));

  const streamMap: string[] = [];
  if (withVideo) {
    videoRungs.forEach((rung, i) => {
      args.push('-map', `[v${i}]`, '-map', `[a${i}]`);
      args.push(`-c:v:${i}`, 'libx264');
      if (still) args.push(`-crf:v:${i}`, String(STILL_CRF));
      else args.push(`-b:v:${i}`, `${rung.videoKbps}k`);
      args.push(
        `-maxrate:v:${i}`, `${Math.round(rung.videoKbps * 1.2)}k`,
        `-bufsize:v:${i}`, `${rung.videoKbps * 2}k`, `-profile:v:${i}`, rung.profile, `-level:v:${i}`, rung.level,
        `-c:a:${i}`, 'aac', `-b:a:${i}`, `${rung.audioKbps}k`,
      );
      streamMap.push(`v:${i},a:${i},name:${rung.name}`);
    });
  }
  const audioIndex = withVideo ? videoRungs.length : 0;
  args.push('-map', `[a${audioIndex}]`, `-c:a:${audioIndex}`, 'aac', `-b:a:${audioIndex}`, `${audioRung.audioKbps}k`);
  streamMap.push(`a:${audioIndex},name:${audioRung.name}`);
  // One encoder more in the same ffmpeg: its segments are cut on the same 2 s boundaries as the AAC
  // rung's, so the audio pipe can change rung between two segments at the same playlist position.
  const speechIndex = audioIndex + 1;
  args.push(
    '-map', `[a${speechIndex}]`, `-c:a:${speechIndex}`, 'libopus', `-b:a:${speechIndex}`, `${speechRung.audioKbps}k`,
    `-application:a:${speechIndex}`, 'voip', `-frame_duration:a:${speechIndex}`, String(SPEECH_FRAME_MS),
  );
  streamMap.push(`a:${speechIndex},name:${speechRung.name}`);

  if (withVideo) {
    args.push(
      '-preset', 'veryfast', '-tune', 'zerolatency', '-sc_threshold', '0',
      '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
    );
  }
  args.push(
    // The later, per-stream rate wins for the Opus rung.
    '-ac', '1', '-ar', String(AUDIO_SAMPLE_RATE), `-ar:a:${speechIndex}`, String(speechRung.sampleRate),
    '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'event',
    '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', runFiles.init,
    '-hls_flags', 'independent_segments+program_date_time+temp_file',
    '-hls_segment_filename', `${runDir}/${runFiles.segments(FFMPEG_VARIANT)}`,
    '-var_stream_map', streamMap.join(' '),
    `${runDir}/${runFiles.rungPlaylist(FFMPEG_VARIANT)}`,
  );
  if (withVideo) {
    args.push('-map', '[poster]', '-c:v', 'mjpeg', '-q:v', '10', '-f', 'image2', '-update', '1', '-atomic_writing', '1', posterFile);
  }
  return args;
}

function labels(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `[${prefix}${i}]`).join('');
}
