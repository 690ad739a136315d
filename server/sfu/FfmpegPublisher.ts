import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from '../logger';
import type { MediaRoom } from './MediaRoom';

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
  /** Stream specifiers for `-map`, e.g. `0:a:0` and `1:v:0`. */
  audio: string;
  video: string;
  /** ffmpeg video filter applied before encoding, e.g. to fit a still image to 16:9. */
  videoFilter?: string;
}

export interface FfmpegPublisherEvents {
  /** ffmpeg ended on its own: the input ran out, or it crashed. */
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/**
 * Publishes whatever ffmpeg can read (a test pattern, an uploaded file) into a room as an organizer
 * would: an Opus and a VP8 producer fed with RTP over loopback plain transports.
 */
export class FfmpegPublisher extends EventEmitter<FfmpegPublisherEvents> {
  readonly producers: types.Producer[];
  readonly #transports: types.PlainTransport[];
  readonly #process: ChildProcess;
  #closed = false;

  private constructor(transports: types.PlainTransport[], producers: types.Producer[], process: ChildProcess) {
    super();
    this.#transports = transports;
    this.producers = producers;
    this.#process = process;
  }

  static async start(room: MediaRoom, source: FfmpegSource, logger: Logger): Promise<FfmpegPublisher> {
    const transports: types.PlainTransport[] = [];
    const producers: types.Producer[] = [];
    try {
      const audio = await plainTransport(room, transports);
      const video = await plainTransport(room, transports);
      producers.push(
        await audio.produce({
          kind: 'audio',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: AUDIO.payloadType }],
            encodings: [{ ssrc: AUDIO.ssrc }],
          },
        }),
        await video.produce({
          kind: 'video',
          rtpParameters: {
            codecs: [{ mimeType: 'video/VP8', clockRate: 90_000, payloadType: VIDEO.payloadType }],
            encodings: [{ ssrc: VIDEO.ssrc }],
          },
        }),
      );
      const args = [
        '-hide_banner', '-loglevel', 'error', '-nostdin',
        ...source.inputArgs,
        '-map', source.audio, '-c:a', 'libopus', '-b:a', '32k', '-ac', '2', '-ar', '48000',
        '-ssrc', String(AUDIO.ssrc), '-payload_type', String(AUDIO.payloadType),
        '-f', 'rtp', rtpUrl(audio),
        '-map', source.video, ...(source.videoFilter ? ['-vf', source.videoFilter] : []), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8',
        // libvpx otherwise holds frames back to look ahead: latency a live source cannot afford.
        '-lag-in-frames', '0', '-b:v', '400k',
        '-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_SECONDS})`, '-pix_fmt', 'yuv420p',
        '-ssrc', String(VIDEO.ssrc), '-payload_type', String(VIDEO.payloadType),
        '-f', 'rtp', rtpUrl(video),
      ];
      const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const publisher = new FfmpegPublisher(transports, producers, child);
      child.stderr?.on('data', (chunk: Buffer) => logger.warn({ ffmpeg: chunk.toString().trim() }, 'ffmpeg'));
      child.on('exit', (code, signal) => {
        if (!publisher.#closed) publisher.emit('exit', code, signal);
      });
      for (const producer of producers) room.addProducer(producer);
      return publisher;
    } catch (error) {
      for (const transport of transports) transport.close();
      throw error;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#process.kill('SIGKILL');
    for (const transport of this.#transports) transport.close();
  }
}

/** comedia: the transport learns ffmpeg's ports from its first packets; ffmpeg sends RTCP from another socket. */
async function plainTransport(room: MediaRoom, into: types.PlainTransport[]): Promise<types.PlainTransport> {
  const transport = await room.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: true,
  });
  into.push(transport);
  return transport;
}

function rtpUrl(transport: types.PlainTransport): string {
  return `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`;
}
