/**
 * The subset of AMF0 (Adobe's Action Message Format) that RTMP publishing uses: encoders send their
 * commands (`connect`, `createStream`, `publish`, …) as AMF0 values, and expect the answers in it.
 * Decoding is bounded: whatever a client sends either decodes or throws {@link RtmpProtocolError}.
 */

export type AmfValue = number | boolean | string | null | undefined | AmfObject | AmfValue[];
export interface AmfObject {
  [key: string]: AmfValue;
}

/** A client sent bytes that are not the RTMP this server speaks: its connection is closed. */
export class RtmpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtmpProtocolError';
  }
}

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;

/** Commands are a handful of values; deeper nesting is only ever an attack on the stack. */
const MAX_DEPTH = 16;

/** Decodes every value in `buffer` (a command message's body). */
export function decodeAmf0(buffer: Buffer): AmfValue[] {
  const reader = new Reader(buffer);
  const values: AmfValue[] = [];
  while (reader.remaining > 0) values.push(reader.value(0));
  return values;
}

class Reader {
  #offset = 0;
  readonly #buffer: Buffer;

  constructor(buffer: Buffer) {
    this.#buffer = buffer;
  }

  get remaining(): number {
    return this.#buffer.length - this.#offset;
  }

  #take(length: number): Buffer {
    if (length > this.remaining) throw new RtmpProtocolError('an AMF0 value runs past the end of its message');
    const bytes = this.#buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return bytes;
  }

  #string(lengthBytes: 2 | 4): string {
    const length = lengthBytes === 2 ? this.#take(2).readUInt16BE() : this.#take(4).readUInt32BE();
    return this.#take(length).toString('utf8');
  }

  #properties(depth: number): AmfObject {
    const object: AmfObject = {};
    for (;;) {
      const key = this.#string(2);
      if (key === '' && this.#offset < this.#buffer.length && this.#buffer.readUInt8(this.#offset) === OBJECT_END) {
        this.#offset += 1;
        return object;
      }
      // Never a prototype: a key of `__proto__` is just a key.
      Object.defineProperty(object, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
    }
  }

  value(depth: number): AmfValue {
    if (depth > MAX_DEPTH) throw new RtmpProtocolError('AMF0 values nested too deeply');
    const marker = this.#take(1).readUInt8(0);
    switch (marker) {
      case NUMBER:
        return this.#take(8).readDoubleBE();
      case BOOLEAN:
        return this.#take(1).readUInt8(0) !== 0;
      case STRING:
        return this.#string(2);
      case LONG_STRING:
        return this.#string(4);
      case OBJECT:
        return this.#properties(depth);
      case ECMA_ARRAY:
        // Its count is a hint only (encoders get it wrong): the properties run to the object end.
        this.#take(4);
        return this.#properties(depth);
      case STRICT_ARRAY: {
        const count = this.#take(4).readUInt32BE();
        // Each element takes at least a byte: a count beyond the rest of the message is a lie.
        if (count > this.remaining) throw new RtmpProtocolError('an AMF0 array is longer than its message');
        const items: AmfValue[] = [];
        for (let i = 0; i < count; i++) items.push(this.value(depth + 1));
        return items;
      }
      case DATE: {
        const millis = this.#take(8).readDoubleBE();
        this.#take(2);
        return millis;
      }
      case NULL:
        return null;
      case UNDEFINED:
        return undefined;
      default:
        throw new RtmpProtocolError(`unsupported AMF0 type ${marker}`);
    }
  }
}

/** Encodes the values of a command or status message. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  return Buffer.concat(values.map(encodeValue));
}

function encodeValue(value: AmfValue): Buffer {
  if (value === null) return Buffer.from([NULL]);
  if (value === undefined) return Buffer.from([UNDEFINED]);
  if (typeof value === 'number') {
    const buffer = Buffer.alloc(9);
    buffer[0] = NUMBER;
    buffer.writeDoubleBE(value, 1);
    return buffer;
  }
  if (typeof value === 'boolean') return Buffer.from([BOOLEAN, value ? 1 : 0]);
  if (typeof value === 'string') return Buffer.concat([Buffer.from([STRING]), encodeKey(value)]);
  if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = STRICT_ARRAY;
    head.writeUInt32BE(value.length, 1);
    return Buffer.concat([head, ...value.map(encodeValue)]);
  }
  const parts: Buffer[] = [Buffer.from([OBJECT])];
  for (const [key, item] of Object.entries(value)) parts.push(encodeKey(key), encodeValue(item));
  parts.push(Buffer.from([0, 0, OBJECT_END]));
  return Buffer.concat(parts);
}

function encodeKey(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
