import { describe, expect, it } from 'vitest';
import { RtmpProtocolError } from '../../../../server/rtmp/amf0';
import { RtmpChunkReader } from '../../../../server/rtmp/RtmpChunkReader';

const LIMITS = { maxMessageBytes: 1024 * 1024, maxPendingBytes: 2 * 1024 * 1024 };

/** A message as a sender writes it: a type-0 header, then type-3 continuations every `chunkSize` bytes. */
function chunked(chunkStreamId: number, typeId: number, streamId: number, timestamp: number, payload: Buffer, chunkSize = 128): Buffer {
  const extended = timestamp >= 0xffffff;
  const ext = Buffer.alloc(extended ? 4 : 0);
  if (extended) ext.writeUInt32BE(timestamp);
  const parts: Buffer[] = [];
  for (let offset = 0; offset === 0 || offset < payload.length; offset += chunkSize) {
    if (offset === 0) {
      const header = Buffer.alloc(12);
      header[0] = chunkStreamId;
      header.writeUIntBE(extended ? 0xffffff : timestamp, 1, 3);
      header.writeUIntBE(payload.length, 4, 3);
      header[7] = typeId;
      header.writeUInt32LE(streamId, 8);
      parts.push(header, ext);
    } else {
      parts.push(Buffer.from([0xc0 | chunkStreamId]), ext);
    }
    parts.push(payload.subarray(offset, offset + chunkSize));
  }
  return Buffer.concat(parts);
}

describe('RtmpChunkReader', () => {
  it('reassembles a message split into chunks, however the bytes arrive', () => {
    const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const bytes = chunked(6, 9, 1, 40, payload);
    const reader = new RtmpChunkReader(LIMITS);
    const messages = [];
    // One byte at a time: every partial header and chunk must wait for the rest.
    for (let i = 0; i < bytes.length; i++) messages.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(messages).toEqual([{ typeId: 9, streamId: 1, timestamp: 40, payload }]);
  });

  it('interleaves chunk streams and follows the sender’s chunk size and timestamp deltas', () => {
    const reader = new RtmpChunkReader(LIMITS);
    reader.setChunkSize(4096);
    const video = Buffer.alloc(5000, 7);
    const audio = Buffer.alloc(10, 1);
    const videoBytes = chunked(6, 9, 1, 100, video, 4096);
    // A type-1 header (delta 20) for the second audio message on the same chunk stream.
    const secondAudio = Buffer.concat([Buffer.from([0x40 | 4, 0, 0, 20, 0, 0, 10, 8]), audio]);
    const split = 12 + 4096;
    const messages = reader.push(Buffer.concat([videoBytes.subarray(0, split), chunked(4, 8, 1, 90, audio), secondAudio, videoBytes.subarray(split)]));
    expect(messages.map(({ typeId, timestamp, payload }) => [typeId, timestamp, payload.length])).toEqual([
      [8, 90, 10],
      [8, 110, 10],
      [9, 100, 5000],
    ]);
  });

  it('reads extended timestamps on the first chunk and on its continuations', () => {
    const reader = new RtmpChunkReader(LIMITS);
    const [message] = reader.push(chunked(5, 9, 1, 0x1234567, Buffer.alloc(300, 3)));
    expect(message?.timestamp).toBe(0x1234567);
    expect(message?.payload.length).toBe(300);
  });

  it.each([
    ['a chunk stream that starts without a full header', Buffer.from([0xc0 | 5, 1, 2, 3])],
    ['a message over the size limit', chunked(4, 9, 1, 0, Buffer.alloc(0)).fill(0xff, 4, 7)],
  ])('refuses %s', (_what, bytes) => {
    expect(() => new RtmpChunkReader(LIMITS).push(bytes)).toThrow(RtmpProtocolError);
  });

  it('refuses more unfinished messages than it may hold', () => {
    const reader = new RtmpChunkReader({ maxMessageBytes: 1000, maxPendingBytes: 1500 });
    const first = chunked(4, 9, 1, 0, Buffer.alloc(1000)).subarray(0, 12 + 128);
    const second = chunked(5, 9, 1, 0, Buffer.alloc(1000)).subarray(0, 12 + 128);
    reader.push(first);
    expect(() => reader.push(second)).toThrow(RtmpProtocolError);
  });

  it('refuses a chunk size out of range', () => {
    expect(() => new RtmpChunkReader(LIMITS).setChunkSize(0)).toThrow(RtmpProtocolError);
  });
});
