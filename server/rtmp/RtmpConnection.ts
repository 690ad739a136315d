import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { Writable } from 'node:stream';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import { decodeAmf0, encodeAmf0, RtmpProtocolError, type AmfObject, type AmfValue } from './amf0';
import { RtmpChunkReader, type ChunkReaderLimits, type RtmpMessage } from './RtmpChunkReader';
import { FLV_AUDIO, FLV_SCRIPT, FLV_VIDEO, flvHeader, flvTag } from './flv';

export interface RtmpConnectionOptions {
  /**
   * Time from the first byte to a `publish`: a connection that never sends, or sends its commands a
   * byte at a time, is closed instead of holding a socket for ever.
   */
  publishDeadlineMs: number;
  /** Once publishing, an encoder silent this long is gone (its link died without a FIN). */
  idleTimeoutMs: number;
  limits: ChunkReaderLimits;
  logger: Logger;
}

export interface RtmpConnectionEvents {
  /**
   * The encoder asks to publish under `streamName` (the stream key: never log it). The owner answers
   * with {@link RtmpConnection.accept} or {@link RtmpConnection.refuse}.
   */
  publish: [streamName: string];
  /** The connection ended, whoever ended it; once. */
  closed: [reason: string];
}

type State = 'handshake' | 'handshakeAck' | 'commands' | 'deciding' | 'publishing' | 'closed';

const RTMP_VERSION = 3;
const HANDSHAKE_BYTES = 1536;
/** What this server sends in: big enough that a keyframe's answer is never split much, small enough to be polite. */
const OUT_CHUNK_SIZE = 4096;
const WINDOW_ACK_SIZE = 5_000_000;
/** The one message stream a publisher gets from `createStream`. */
const PUBLISH_STREAM_ID = 1;
/** Chunk streams for what this server sends: protocol control, commands, stream status. */
const CONTROL_CHUNK_STREAM = 2;
const COMMAND_CHUNK_STREAM = 3;
const STATUS_CHUNK_STREAM = 5;
/** Media sent before the owner has accepted the publish (clients normally wait for the answer). */
const EARLY_MEDIA_MAX_BYTES = 4 * 1024 * 1024;
/** A refused encoder gets this long to read why before the socket is destroyed. */
const LINGER_MS = 2_000;
/** `@setDataFrame` as AMF0, which precedes an encoder's metadata but is no part of an FLV script tag. */
const SET_DATA_FRAME = encodeAmf0('@setDataFrame');

/**
 * One encoder's RTMP connection, server side, as far as publishing needs: the handshake, the chunk
 * stream, the commands `connect`/`createStream`/`publish`/`deleteStream`, and the audio, video and
 * metadata messages it then sends, handed on as FLV ({@link accept}). Whatever a client
 * sends, the worst outcome is that its own connection is closed: nothing here throws to the caller.
 */
export class RtmpConnection extends SafeEmitter<RtmpConnectionEvents> {
  readonly #socket: net.Socket;
  readonly #options: RtmpConnectionOptions;
  readonly #reader: RtmpChunkReader;
  readonly #deadline: NodeJS.Timeout;
  #state: State = 'handshake';
  #handshake = Buffer.alloc(0);
  #connected = false;
  #outChunkSize = 128;
  #received = 0;
  #acknowledged = 0;
  #peerWindow = 0;
  #early: Buffer[] = [];
  #earlyBytes = 0;
  #output: Writable | undefined;

  constructor(socket: net.Socket, options: RtmpConnectionOptions) {
    super(options.logger);
    this.#socket = socket;
    this.#options = options;
    this.#reader = new RtmpChunkReader(options.limits);
    this.#deadline = setTimeout(() => this.close('it did not start publishing in time'), options.publishDeadlineMs);
    socket.setNoDelay(true);
    socket.setTimeout(options.publishDeadlineMs);
    socket.on('data', (bytes: Buffer) => this.#onData(bytes));
    socket.on('timeout', () => this.close('it sent nothing for too long'));
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('the encoder disconnected'));
  }

  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  /**
   * Starts publishing: the encoder is told, and its media goes into `output` as FLV (what arrived
   * before this first), which is ended when the connection ends. Once closed, only ends `output`.
   */
  accept(output: Writable): void {
    if (this.#state !== 'deciding') {
      output.end();
      return;
    }
    this.#state = 'publishing';
    clearTimeout(this.#deadline);
    this.#socket.setTimeout(this.#options.idleTimeoutMs);
    this.#output = output;
    this.#status('status', 'NetStream.Publish.Start', 'publishing');
    this.#write(flvHeader());
    for (const tag of this.#early) this.#write(tag);
    this.#early = [];
  }

  /** Refuses the publish with a reason the encoder may show, then closes the connection. */
  refuse(description: string): void {
    if (this.#state !== 'deciding') return;
    this.#status('error', 'NetStream.Publish.BadName', description);
    this.close('publishing refused');
  }

  /** Ends the connection (idempotently); the FLV stream ends, so ffmpeg reading it finishes. */
  close(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#deadline);
    this.#early = [];
    this.#output?.end();
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), LINGER_MS).unref();
    this.emit('closed', reason);
  }

  /** Read through a method: TypeScript's narrowing does not see that a message handler may close. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #onData(bytes: Buffer): void {
    if (this.#state === 'closed') return;
    try {
      this.#received += bytes.length;
      if (this.#state === 'handshake' || this.#state === 'handshakeAck') {
        this.#onHandshake(bytes);
        return;
      }
      this.#acknowledge();
      for (const message of this.#reader.push(bytes)) {
        // A message may have closed the connection (a refusal, deleteStream): the rest is not read.
        if (this.#isClosed()) return;
        this.#onMessage(message);
      }
    } catch (error) {
      const reason = error instanceof RtmpProtocolError ? error.message : 'malformed data';
      this.#options.logger.info({ address: this.remoteAddress, reason }, 'closing an RTMP connection that broke the protocol');
      this.close(`protocol error: ${reason}`);
    }
  }

  /**
   * The simple (unsigned) handshake: C0+C1 in, S0+S1+S2 out (S2 echoes C1), C2 in. Encoders that
   * publish (OBS through librtmp, ffmpeg) accept it; only Flash players playing streams insisted on
   * the signed one.
   */
  #onHandshake(bytes: Buffer): void {
    this.#handshake = Buffer.concat([this.#handshake, bytes]);
    if (this.#state === 'handshake') {
      if (this.#handshake.length < 1 + HANDSHAKE_BYTES) return;
      if (this.#handshake[0] !== RTMP_VERSION) throw new RtmpProtocolError('not an RTMP handshake');
      const s1 = Buffer.concat([Buffer.alloc(8), randomBytes(HANDSHAKE_BYTES - 8)]);
      this.#socket.write(Buffer.concat([Buffer.from([RTMP_VERSION]), s1, this.#handshake.subarray(1, 1 + HANDSHAKE_BYTES)]));
      this.#handshake = this.#handshake.subarray(1 + HANDSHAKE_BYTES);
      this.#state = 'handshakeAck';
    }
    if (this.#handshake.length < HANDSHAKE_BYTES) return;
    const rest = this.#handshake.subarray(HANDSHAKE_BYTES);
    this.#handshake = Buffer.alloc(0);
    this.#state = 'commands';
    // The received count goes on from here: the chunk stream's first bytes may have come with C2.
    this.#received -= rest.length;
    if (rest.length > 0) this.#onData(rest);
  }

  /** Tells the encoder what has arrived, as often as it asked (it may stop sending otherwise). */
  #acknowledge(): void {
    if (this.#peerWindow === 0 || this.#received - this.#acknowledged < this.#peerWindow) return;
    this.#acknowledged = this.#received;
    const body = Buffer.alloc(4);
    body.writeUInt32BE(this.#received >>> 0);
    this.#send(CONTROL_CHUNK_STREAM, 3, 0, body);
  }

  #onMessage({ typeId, streamId, timestamp, payload }: RtmpMessage): void {
    switch (typeId) {
      case 1:
        this.#reader.setChunkSize(readUInt32(payload) & 0x7fffffff);
        return;
      case 2:
        this.#reader.abort(readUInt32(payload));
        return;
      case 5:
        this.#peerWindow = readUInt32(payload);
        return;
      case 20:
        this.#onCommand(decodeAmf0(payload), streamId);
        return;
      case 17:
        // An AMF3 command whose values are AMF0 after a format byte (what AMF3 clients send).
        this.#onCommand(decodeAmf0(payload.subarray(1)), streamId);
        return;
      case 8:
        this.#onMedia(FLV_AUDIO, timestamp, payload);
        return;
      case 9:
        this.#onMedia(FLV_VIDEO, timestamp, payload);
        return;
      case 18: {
        const body = payload.subarray(0, SET_DATA_FRAME.length).equals(SET_DATA_FRAME) ? payload.subarray(SET_DATA_FRAME.length) : payload;
        this.#onMedia(FLV_SCRIPT, timestamp, body);
        return;
      }
      default:
        // Acknowledgements, user control (pings), bandwidth hints, AMF3 data: nothing a publisher needs answered.
        return;
    }
  }

  #onCommand(values: AmfValue[], streamId: number): void {
    const [name, transactionId] = values;
    if (typeof name !== 'string') throw new RtmpProtocolError('a command without a name');
    const txn = typeof transactionId === 'number' ? transactionId : 0;
    if (name === 'connect') {
      if (this.#connected) throw new RtmpProtocolError('connect sent twice');
      this.#connected = true;
      this.#control(5, WINDOW_ACK_SIZE);
      this.#control(6, WINDOW_ACK_SIZE, 2);
      this.#control(1, OUT_CHUNK_SIZE);
      this.#outChunkSize = OUT_CHUNK_SIZE;
      this.#command(0, '_result', txn, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, {
        level: 'status',
        code: 'NetConnection.Connect.Success',
        description: 'Connection succeeded.',
        objectEncoding: 0,
      });
      return;
    }
    if (!this.#connected) throw new RtmpProtocolError(`${name} before connect`);
    switch (name) {
      case 'createStream':
        this.#command(0, '_result', txn, null, PUBLISH_STREAM_ID);
        return;
      case 'publish': {
        if (this.#state !== 'commands') throw new RtmpProtocolError('publish sent twice');
        const streamName = values[3];
        if (typeof streamName !== 'string') throw new RtmpProtocolError('publish without a stream name');
        if (streamId !== PUBLISH_STREAM_ID) throw new RtmpProtocolError('publish on a stream that was not created');
        this.#state = 'deciding';
        this.emit('publish', streamName);
        return;
      }
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        this.close('the encoder stopped publishing');
        return;
      default:
        // releaseStream, FCPublish, _checkbw, …: courtesies a publishing server may ignore.
        return;
    }
  }

  #onMedia(type: number, timestamp: number, body: Buffer): void {
    if (this.#state === 'publishing') {
      this.#write(flvTag(type, timestamp, body));
    } else if (this.#state === 'deciding') {
      // Kept for ffmpeg: the first video message carries the decoder's configuration.
      this.#earlyBytes += body.length;
      if (this.#earlyBytes > EARLY_MEDIA_MAX_BYTES) throw new RtmpProtocolError('too much media before publishing was accepted');
      this.#early.push(flvTag(type, timestamp, body));
    }
    // Before asking to publish, media has nowhere to go.
  }

  /** Hands FLV to ffmpeg; while ffmpeg lags, the encoder's socket is paused (TCP slows it down). */
  #write(bytes: Buffer): void {
    const output = this.#output;
    if (!output) return;
    if (!output.write(bytes) && !this.#socket.isPaused()) {
      this.#socket.pause();
      output.once('drain', () => this.#socket.resume());
    }
  }

  #control(typeId: number, value: number, limitType?: number): void {
    const body = Buffer.alloc(limitType === undefined ? 4 : 5);
    body.writeUInt32BE(value);
    if (limitType !== undefined) body[4] = limitType;
    this.#send(CONTROL_CHUNK_STREAM, typeId, 0, body);
  }

  #command(streamId: number, ...values: AmfValue[]): void {
    this.#send(COMMAND_CHUNK_STREAM, 20, streamId, encodeAmf0(...values));
  }

  #status(level: 'status' | 'error', code: string, description: string): void {
    const info: AmfObject = { level, code, description };
    this.#send(STATUS_CHUNK_STREAM, 20, PUBLISH_STREAM_ID, encodeAmf0('onStatus', 0, null, info));
  }

  /** Sends one message, split into chunks: a full header first, then one-byte continuation headers. */
  #send(chunkStreamId: number, typeId: number, streamId: number, payload: Buffer): void {
    if (this.#socket.destroyed) return;
    const parts: Buffer[] = [];
    for (let offset = 0; offset === 0 || offset < payload.length; offset += this.#outChunkSize) {
      if (offset === 0) {
        const header = Buffer.alloc(12);
        header[0] = chunkStreamId;
        header.writeUIntBE(payload.length, 4, 3);
        header[7] = typeId;
        header.writeUInt32LE(streamId, 8);
        parts.push(header);
      } else {
        parts.push(Buffer.from([0xc0 | chunkStreamId]));
      }
      parts.push(payload.subarray(offset, offset + this.#outChunkSize));
    }
    this.#socket.write(Buffer.concat(parts));
  }
}

function readUInt32(payload: Buffer): number {
  if (payload.length < 4) throw new RtmpProtocolError('a control message too short');
  return payload.readUInt32BE(0);
}
