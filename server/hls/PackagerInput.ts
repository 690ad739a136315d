import type { types } from 'mediasoup';
import type { MediaRoom } from '../sfu/MediaRoom';
import { freeUdpPortPair } from './freeUdpPortPair';

interface Track {
  transport: types.PlainTransport;
  consumer: types.Consumer;
  port: number;
}

/**
 * The organizer's producers, consumed by the SFU into plain RTP towards one ffmpeg process, and the
 * SDP that tells ffmpeg what arrives where. Consumers start paused: they are resumed once ffmpeg
 * listens, so the first packets it sees belong to a keyframe.
 */
export class PackagerInput {
  readonly #tracks: Track[];
  readonly sdp: string;

  private constructor(tracks: Track[]) {
    this.#tracks = tracks;
    this.sdp = buildSdp(tracks);
  }

  static async create(room: MediaRoom, producers: types.Producer[]): Promise<PackagerInput> {
    const tracks: Track[] = [];
    try {
      // Audio first: ffmpeg numbers its inputs in SDP order and the ladder maps 0:a and 0:v by kind.
      const ordered = [...producers].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'audio' ? -1 : 1));
      for (const producer of ordered) {
        const transport = await room.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: false,
          comedia: false,
        });
        const port = await freeUdpPortPair();
        await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
        const consumer = await transport.consume({
          producerId: producer.id,
          rtpCapabilities: room.rtpCapabilities,
          paused: true,
        });
        // The packager scales down itself: feed it the best layer the organizer sends.
        if (consumer.type === 'simulcast') await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
        tracks.push({ transport, consumer, port });
      }
    } catch (error) {
      for (const track of tracks) track.transport.close();
      throw error;
    }
    return new PackagerInput(tracks);
  }

  get hasVideo(): boolean {
    return this.#tracks.some((t) => t.consumer.kind === 'video');
  }

  get hasAudio(): boolean {
    return this.#tracks.some((t) => t.consumer.kind === 'audio');
  }

  async start(): Promise<void> {
    await Promise.all(this.#tracks.map((t) => t.consumer.resume()));
    await this.requestKeyFrame();
  }

  async requestKeyFrame(): Promise<void> {
    const video = this.#tracks.filter((t) => t.consumer.kind === 'video' && !t.consumer.closed);
    await Promise.all(video.map((t) => t.consumer.requestKeyFrame()));
  }

  close(): void {
    for (const track of this.#tracks) track.transport.close();
  }
}

function buildSdp(tracks: Track[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=jalsa-packager', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const { consumer, port } of tracks) {
    const codec = consumer.rtpParameters.codecs[0]!;
    const [, name] = codec.mimeType.split('/');
    const channels = codec.channels ? `/${codec.channels}` : '';
    lines.push(
      `m=${consumer.kind} ${port} RTP/AVP ${codec.payloadType}`,
      `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
      'a=recvonly',
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
