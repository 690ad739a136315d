import type { types } from 'mediasoup';
import type { MediaKind } from '../../shared/signalling';
import type { ProducerInfo } from './MediaRoom';

/** One track a local process sends as plain RTP: its kind and the RTP it writes. */
export interface PlainTrack {
  kind: MediaKind;
  codec: types.RtpCodecParameters;
  ssrc: number;
}

/** Where a local process sends one track's RTP and RTCP. */
export interface PlainTarget {
  ip: string;
  port: number;
  rtcpPort: number;
}

/**
 * Media a local process (ffmpeg reading a file, a test pattern, an RTMP encoder's stream) sends into a room over
 * loopback, published as an organizer's would be. Its producers join the room only on `publish()`,
 * so nobody hears of media whose sender failed to start. Opened and owned by
 * {@link MediaRoom.publishPlain}, closed with the room.
 */
export class PlainPublication {
  readonly #tracks: { transport: types.PlainTransport; producer: types.Producer }[];
  readonly #publish: (producers: types.Producer[]) => void;
  readonly #onClose: () => void;
  #closed = false;

  private constructor(
    tracks: { transport: types.PlainTransport; producer: types.Producer }[],
    publish: (producers: types.Producer[]) => void,
    onClose: () => void,
  ) {
    this.#tracks = tracks;
    this.#publish = publish;
    this.#onClose = onClose;
  }

  /** @internal Use {@link MediaRoom.publishPlain}. */
  static async open(
    router: types.Router,
    tracks: PlainTrack[],
    publish: (producers: types.Producer[]) => void,
    onClose: () => void,
  ): Promise<PlainPublication> {
    const opened: { transport: types.PlainTransport; producer: types.Producer }[] = [];
    let transport: types.PlainTransport | undefined;
    try {
      for (const { kind, codec, ssrc } of tracks) {
        // comedia: the transport learns the sender's ports from its first packets; ffmpeg sends RTCP from another socket.
        transport = await router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: false,
          comedia: true,
        });
        const producer = await transport.produce({ kind, rtpParameters: { codecs: [codec], encodings: [{ ssrc }] } });
        opened.push({ transport, producer });
        transport = undefined;
      }
    } catch (error) {
      transport?.close();
      for (const track of opened) track.transport.close();
      throw error;
    }
    return new PlainPublication(opened, publish, onClose);
  }

  get producers(): ProducerInfo[] {
    return this.#tracks.map(({ producer }) => ({ producerId: producer.id, kind: producer.kind }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Where to send the track of `kind`. */
  target(kind: MediaKind): PlainTarget {
    const track = this.#tracks.find(({ producer }) => producer.kind === kind);
    if (!track) throw new Error(`this publication carries no ${kind}`);
    const { tuple, rtcpTuple } = track.transport;
    return { ip: tuple.localAddress, port: tuple.localPort, rtcpPort: rtcpTuple!.localPort };
  }

  /** Adds the producers to the room: attendees, the packager and the recording now receive them. */
  publish(): void {
    if (this.#closed) return;
    this.#publish(this.#tracks.map(({ producer }) => producer));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { transport } of this.#tracks) transport.close();
    this.#onClose();
  }
}
