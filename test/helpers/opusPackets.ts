import dgram from 'node:dgram';
import type { MediaRoom } from '../../server/sfu/MediaRoom';

/** Opus's RTP clock, whatever the sample rate encoded. */
const OPUS_CLOCK_HZ = 48_000;

/**
 * The length of the Opus packets the room's audio producer receives, in ms: taps the room (as the
 * HLS packager does), reads its RTP for `ms` and takes the most common step of the RTP timestamp
 * between consecutive packets. (DTX makes the steps over silence longer, never shorter.)
 */
export async function opusPacketMs(room: MediaRoom, ms = 2_000): Promise<number | undefined> {
  const tap = await room.openRtpTap(['audio']);
  const socket = dgram.createSocket('udp4');
  try {
    const port = Number(/m=audio (\d+) /.exec(tap.sdp)?.[1]);
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    const steps = new Map<number, number>();
    let previous: { seq: number; timestamp: number } | undefined;
    socket.on('message', (packet) => {
      const current = { seq: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4) };
      if (previous && ((current.seq - previous.seq) & 0xffff) === 1) {
        const step = (current.timestamp - previous.timestamp) >>> 0;
        steps.set(step, (steps.get(step) ?? 0) + 1);
      }
      previous = current;
    });
    await tap.start();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const commonest = [...steps].sort((a, b) => b[1] - a[1])[0]?.[0];
    return commonest === undefined ? undefined : (commonest * 1000) / OPUS_CLOCK_HZ;
  } finally {
    socket.close();
    tap.close();
  }
}
