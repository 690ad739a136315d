import type { Readable } from 'node:stream';
import { FfmpegProcess, type FfmpegExit } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';
import { OPUS_MAX_AVERAGE_BITRATE, OPUS_PTIME_MS } from '../../shared/media';
import { SafeEmitter } from '../SafeEmitter';
import type { MediaRoom, ProducerInfo } from './MediaRoom';
import type { PlainPublication, PlainTarget, PlainTrack } from './PlainPublication';

/** Fixed because we write both ends: ffmpeg's RTP muxer and the producers' RTP parameters. */
const AUDIO = { payloadType: 100, ssrc: 11_111_111 } as const;
const VIDEO = { payloadType: 101, ssrc: 22_222_222 } as const;

/**
 * ffmpeg does not answer keyframe requests, so frequent keyframes are what let new viewers (and a
 * restarted packager) start quickly; by time, since a still picture runs at very few frames a second.
 */
const KEYFRAME_INTERVAL_SECONDS = 1;

/** What ffmpeg reads and which of its input streams carry the audio and the video. */
export interface FfmpegSource {
  /** ffmpeg's arguments up to and including its inputs, e.g. `['-re', '-i', file]`. */
  inputArgs: string[];
  /** Stream specifiers for `-map`, e.g. `0:a:0` and `1:v:0`; without `video`, sound alone is published. */
  audio: string;
  video?: string;
  /** ffmpeg video filter applied before encoding, e.g. to fit a still image to 16:9. */
  videoFilter?: string;
  /** What ffmpeg reads as `pipe:0`, for a stream arriving in this process (an encoder over RTMP). */
  stdin?: Readable;
}

export interface FfmpegPublisherEvents {
  /** ffmpeg ended on its own: the input ran out (`exited`), or it crashed. */
  exit: [exit: FfmpegExit];
}

/** A stopped publisher has nothing left to write: it may be killed at once. */
const STOP_GRACE_MS = 1_000;

/**
 * Publishes whatever ffmpeg can read (a test pattern, an uploaded file) into a room as an organizer
 * would: a mono speech Opus (as the studio sends) and (unless the source has no video) a VP8 producer
 * fed with RTP over loopback (see {@link MediaRoom.publishPlain}).
 */
export class FfmpegPublisher extends SafeEmitter<FfmpegPublisherEvents> {
  readonly #publication: PlainPublication;
  readonly #ffmpeg: FfmpegProcess;
  #closed = false;

  private constructor(publication: PlainPublication, ffmpeg: FfmpegProcess, logger: Logger) {
    super(logger);
    this.#publication = publication;
    this.#ffmpeg = ffmpeg;
    void ffmpeg.exited.then((exit) => {
      if (!this.#closed) this.emit('exit', exit);
    });
  }

  static async start(room: MediaRoom, source: FfmpegSource, logger: Logger): Promise<FfmpegPublisher> {
    const tracks: PlainTrack[] = [
      { kind: 'audio', codec: { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: AUDIO.payloadType }, ssrc: AUDIO.ssrc },
    ];
    if (source.video) {
      tracks.push({ kind: 'video', codec: { mimeType: 'video/VP8', clockRate: 90_000, payloadType: VIDEO.payloadType }, ssrc: VIDEO.ssrc });
    }
    const publication = await room.publishPlain(tracks);
    try {
      const args = [
        '-hide_banner', '-loglevel', 'error', '-nostdin',
        ...source.inputArgs,
        '-map', source.audio, '-c:a', 'libopus', '-b:a', String(OPUS_MAX_AVERAGE_BITRATE), '-ac', '1', '-ar', '48000', '-frame_duration', String(OPUS_PTIME_MS),
        '-ssrc', String(AUDIO.ssrc), '-payload_type', String(AUDIO.payloadType),
        '-f', 'rtp', rtpUrl(publication.target('audio')),
      ];
      if (source.video) {
        args.push(
          '-map', source.video, ...(source.videoFilter ? ['-vf', source.videoFilter] : []), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8',
          // libvpx otherwise holds frames back to look ahead: latency a live source cannot afford.
          '-lag-in-frames', '0', '-b:v', '400k',
          '-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_SECONDS})`, '-pix_fmt', 'yuv420p',
          '-ssrc', String(VIDEO.ssrc), '-payload_type', String(VIDEO.payloadType),
          '-f', 'rtp', rtpUrl(publication.target('video')),
        );
      }
      const ffmpeg = await FfmpegProcess.start(args, { logger, stopGraceMs: STOP_GRACE_MS, stdin: source.stdin });
      const publisher = new FfmpegPublisher(publication, ffmpeg, logger);
      publication.publish();
      return publisher;
    } catch (error) {
      publication.close();
      throw error;
    }
  }

  get producers(): ProducerInfo[] {
    return this.#publication.producers;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#ffmpeg.stop();
    this.#publication.close();
  }
}

function rtpUrl({ ip, port, rtcpPort }: PlainTarget): string {
  return `rtp://${ip}:${port}?rtcpport=${rtcpPort}&pkt_size=1200`;
}
