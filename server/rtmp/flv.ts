/**
 * The FLV container ffmpeg reads an encoder's stream from: RTMP's audio, video and data messages are
 * FLV tags already, so each one only gains the tag header around it.
 */

export const FLV_AUDIO = 8;
export const FLV_VIDEO = 9;
export const FLV_SCRIPT = 18;

/** The file header: version 1, audio and video present, then the first (empty) previous-tag size. */
export function flvHeader(): Buffer {
  return Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);
}

/** One tag: its 11-byte header, the message's body, and the size of both. */
export function flvTag(type: number, timestamp: number, body: Buffer): Buffer {
  const header = Buffer.alloc(11);
  header[0] = type;
  header.writeUIntBE(body.length, 1, 3);
  header.writeUIntBE(timestamp & 0xffffff, 4, 3);
  header[7] = (timestamp >>> 24) & 0xff;
  const size = Buffer.alloc(4);
  size.writeUInt32BE(11 + body.length);
  return Buffer.concat([header, body, size]);
}
