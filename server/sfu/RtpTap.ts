import { parseScalabilityMode, type types } from 'mediasoup';
import type { MediaKind } from '../../shared/signalling';
import { freeUdpPortPair } from './freeUdpPortPair';

interface Track {
  transport: types.PlainTransport;
  consumer: types.Consumer;
  port: number;
}

/**
 * A room's producers, consumed into plain RTP towards loopback ports where one local process (the
 * HLS packager's ffmpeg) listens, and the SDP that tells it what arrives where. Consumers start paused:
 * `start()` resumes them once the listener is up, so the first packets it sees belong to a keyframe.
 * Opened and owned by {@link MediaRoom.openRtpTap}, closed with the room.
 */
export class RtpTap {
  readonly sdp: string;
  readonly #tracks: Track[];
  readonly #onClose: () => void;
  #closed = false;

  private constructor(tracks: Track[], onClose: () => void) {
    this.#tracks = tracks;
    this.#onClose = onClose;
    this.sdp = buildSdp(tracks);
  }

  /** @internal Use {@link MediaRoom.openRtpTap}. */
  static async open(
    router: types.Router,
    producers: types.Producer[],
    onClose: () => void,
  ): Promise<RtpTap> {
    const tracks: Track[] = [];
    try {
      // Audio first: ffmpeg numbers its inputs in SDP order and the ladder maps 0:a and 0:v by kind.
      const ordered = [...producers].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'audio' ? -1 : 1));
      for (const producer of ordered) {
        const transport = await router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: false,
          comedia: false,
        });
        const port = await freeUdpPortPair();
        await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
        const consumer = await transport.consume({
          producerId: producer.id,
          rtpCapabilities: router.rtpCapabilities,
          paused: true,
        });
        // The packager scales down itself: feed it the best layer the organizer sends.
        if (consumer.type === 'simulcast') await consumer.setPreferredLayers(topLayers(producer.rtpParameters.encodings ?? []));
        tracks.push({ transport, consumer, port });
      }
    } catch (error) {
      for (const track of tracks) track.transport.close();
      throw error;
    }
    return new RtpTap(tracks, onClose);
  }

  get kinds(): MediaKind[] {
    return this.#tracks.map((t) => t.consumer.kind);
  }

  get hasVideo(): boolean {
    return this.kinds.includes('video');
  }

  get hasAudio(): boolean {
    return this.kinds.includes('audio');
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Lets the media flow; call once the listener is bound to the SDP's ports. */
  async start(): Promise<void> {
    await Promise.all(this.#tracks.map((t) => t.consumer.resume()));
    await this.requestKeyFrame();
  }

  async requestKeyFrame(): Promise<void> {
    const video = this.#tracks.filter((t) => t.consumer.kind === 'video' && !t.consumer.closed);
    await Promise.all(video.map((t) => t.consumer.requestKeyFrame()));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const track of this.#tracks) track.transport.close();
    this.#onClose();
  }
}

/**
 * The highest layers a producer sends: one spatial layer per simulcast encoding, temporal layers as
 * its scalability mode says (a single encoding may carry several spatial layers itself, e.g. SVC).
 */
export function topLayers(encodings: types.RtpEncodingParameters[]): { spatialLayer: number; temporalLayer: number } {
  const mode = parseScalabilityMode(encodings.find((e) => e.scalabilityMode)?.scalabilityMode);
  const spatialLayers = encodings.length > 1 ? encodings.length : mode.spatialLayers;
  return { spatialLayer: spatialLayers - 1, temporalLayer: mode.temporalLayers - 1 };
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
