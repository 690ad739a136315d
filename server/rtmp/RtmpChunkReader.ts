import { RtmpProtocolError } from './amf0';

/** One whole RTMP message, reassembled from its chunks. */
export interface RtmpMessage {
  typeId: number;
  streamId: number;
  /** Milliseconds, as the sender counts them (32 bits, wrapping). */
  timestamp: number;
  payload: Buffer;
}

export interface ChunkReaderLimits {
  /** Longest message accepted (RTMP allows 16 MB); a keyframe of a 1080p encoder is well under 2 MB. */
  maxMessageBytes: number;
  /** Bytes held at once in messages still arriving, over all chunk streams. */
  maxPendingBytes: number;
}

interface ChunkStream {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last header carried an extended timestamp, so its type-3 continuations carry one too. */
  extended: boolean;
  parts: Buffer[];
  received: number;
}

const DEFAULT_CHUNK_SIZE = 128;
const MAX_CHUNK_SIZE = 0xffffff;
/** A publisher uses a handful of chunk streams (control, commands, audio, video, data). */
const MAX_CHUNK_STREAMS = 32;
const HEADER_BYTES = [11, 7, 3, 0] as const;

/**
 * Reassembles RTMP messages from the chunk stream a client sends (after the handshake): pure, fed
 * bytes as they come, it consumes only whole chunks and keeps the rest for the next call. Anything
 * malformed or over its limits throws {@link RtmpProtocolError}.
 */
export class RtmpChunkReader {
  readonly #limits: ChunkReaderLimits;
  readonly #streams = new Map<number, ChunkStream>();
  #pending: Buffer = Buffer.alloc(0);
  #chunkSize = DEFAULT_CHUNK_SIZE;

  constructor(limits: ChunkReaderLimits) {
    this.#limits = limits;
  }

  /** The sender's chunk size, set by its Set Chunk Size message. */
  setChunkSize(size: number): void {
    if (size < 1 || size > MAX_CHUNK_SIZE) throw new RtmpProtocolError(`chunk size ${size} is out of range`);
    this.#chunkSize = size;
  }

  /** Drops the message being received on a chunk stream (the sender's Abort message). */
  abort(chunkStreamId: number): void {
    const stream = this.#streams.get(chunkStreamId);
    if (!stream) return;
    stream.parts = [];
    stream.received = 0;
  }

  /** Takes `bytes` and returns the messages they complete. */
  push(bytes: Buffer): RtmpMessage[] {
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    const messages: RtmpMessage[] = [];
    let offset = 0;
    for (;;) {
      const chunk = this.#readChunk(offset);
      if (!chunk) break;
      offset = chunk.next;
      if (chunk.message) messages.push(chunk.message);
    }
    this.#pending = this.#pending.subarray(offset);
    return messages;
  }

  /** Reads the chunk at `offset`, or returns undefined (changing nothing) when it has not all arrived. */
  #readChunk(offset: number): { next: number; message?: RtmpMessage } | undefined {
    const data = this.#pending;
    if (offset >= data.length) return undefined;
    const first = data.readUInt8(offset);
    const format = first >> 6;
    let chunkStreamId = first & 0x3f;
    let at = offset + 1;
    if (chunkStreamId === 0) {
      if (at + 1 > data.length) return undefined;
      chunkStreamId = 64 + data.readUInt8(at);
      at += 1;
    } else if (chunkStreamId === 1) {
      if (at + 2 > data.length) return undefined;
      chunkStreamId = 64 + data.readUInt16LE(at);
      at += 2;
    }
    const headerBytes = HEADER_BYTES[format as 0 | 1 | 2 | 3];
    if (at + headerBytes > data.length) return undefined;
    const previous = this.#streams.get(chunkStreamId);
    if (!previous && format !== 0) throw new RtmpProtocolError(`chunk stream ${chunkStreamId} starts without a full header`);
    if (!previous && this.#streams.size >= MAX_CHUNK_STREAMS) throw new RtmpProtocolError('too many chunk streams');
    const startsMessage = !previous || previous.received === 0;
    if (!startsMessage && format !== 3) throw new RtmpProtocolError('a new message header interrupts a message');

    // Read into locals: nothing changes until the whole chunk is here.
    let { timestamp, delta, length, typeId, streamId } = previous ?? { timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0 };
    let timeField = 0;
    if (format <= 2) timeField = data.readUIntBE(at, 3);
    if (format <= 1) {
      length = data.readUIntBE(at + 3, 3);
      typeId = data.readUInt8(at + 6);
    }
    if (format === 0) streamId = data.readUInt32LE(at + 7);
    at += headerBytes;
    const extended = format === 3 ? previous!.extended : timeField === 0xffffff;
    if (extended) {
      if (at + 4 > data.length) return undefined;
      timeField = data.readUInt32BE(at);
      at += 4;
    }
    const received = previous?.received ?? 0;
    if (startsMessage) {
      if (format === 0) timestamp = timeField;
      else if (format === 3) timestamp = (timestamp + delta) >>> 0;
      else {
        delta = timeField;
        timestamp = (timestamp + timeField) >>> 0;
      }
      if (length > this.#limits.maxMessageBytes) throw new RtmpProtocolError(`a message of ${length} bytes is over the limit`);
      if (this.#pendingMessageBytes() + length > this.#limits.maxPendingBytes) {
        throw new RtmpProtocolError('too many bytes in unfinished messages');
      }
    }
    const size = Math.min(this.#chunkSize, length - received);
    if (at + size > data.length) return undefined;
    const stream: ChunkStream = previous ?? { timestamp, delta, length, typeId, streamId, extended, parts: [], received: 0 };
    Object.assign(stream, { timestamp, delta, length, typeId, streamId, extended });
    this.#streams.set(chunkStreamId, stream);
    stream.parts.push(data.subarray(at, at + size));
    stream.received += size;
    at += size;
    if (stream.received < length) return { next: at };
    // Copied out: the parts are views of a buffer the next push replaces.
    const message: RtmpMessage = { typeId, streamId, timestamp, payload: Buffer.concat(stream.parts) };
    stream.parts = [];
    stream.received = 0;
    return { next: at, message };
  }

  #pendingMessageBytes(): number {
    let total = 0;
    for (const stream of this.#streams.values()) if (stream.received > 0) total += stream.length;
    return total;
  }
}
