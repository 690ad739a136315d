import { describe, expect, it } from 'vitest';
import { decodeAmf0, encodeAmf0, RtmpProtocolError } from '../../../../server/rtmp/amf0';

describe('AMF0', () => {
  it('decodes what it encodes: a publish command and a status object', () => {
    const values = ['publish', 5, null, 'my-rally_key', 'live', { level: 'status', code: 'NetStream.Publish.Start', nested: { ok: true } }, [1, 'two']];
    expect(decodeAmf0(encodeAmf0(...values))).toEqual(values);
  });

  it('reads an ECMA array (what encoders send as metadata) as an object, whatever its count says', () => {
    const object = encodeAmf0({ width: 1280, height: 720 });
    // The same properties behind an ECMA array marker and a wrong count.
    const ecma = Buffer.concat([Buffer.from([0x08, 0, 0, 0, 99]), object.subarray(1)]);
    expect(decodeAmf0(ecma)).toEqual([{ width: 1280, height: 720 }]);
  });

  it('keeps a property named __proto__ as a property, never as the prototype', () => {
    const key = Buffer.from('__proto__');
    const bytes = Buffer.concat([Buffer.from([0x03, 0, key.length]), key, encodeAmf0({ polluted: true }), Buffer.from([0, 0, 0x09])]);
    const [decoded] = decodeAmf0(bytes) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a string longer than its message', Buffer.from([0x02, 0x00, 0x10, 0x41])],
    ['a number cut short', Buffer.from([0x00, 1, 2, 3])],
    ['an unknown type', Buffer.from([0x11])],
    ['an array claiming more elements than bytes', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x05])],
    ['objects nested past any command', Buffer.concat([...Array.from({ length: 40 }, () => Buffer.from([0x03, 0, 1, 0x61]))])],
  ])('refuses %s with a protocol error', (_what, bytes) => {
    expect(() => decodeAmf0(bytes)).toThrow(RtmpProtocolError);
  });
});
