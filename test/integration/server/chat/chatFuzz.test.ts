import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequests } from '../../../../shared/chat';
import { ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

let test: TestServer;
let slug: string;
let eventKey: string;

beforeAll(async () => {
  test = await startTestServer();
  ({ slug, eventKey } = await createEvent(test));
});
afterAll(async () => {
  await test.close();
});

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { slug: value };
  return value;
}

/** Payloads that no chat request accepts: wrong types, missing fields, oversized strings, binary. */
const MALFORMED: unknown[] = [
  undefined,
  null,
  42,
  'just a string',
  true,
  [],
  {},
  Buffer.from([0xde, 0xad, 0xbe, 0xef]),
  { slug: Buffer.from('abc'), clientKey: Buffer.alloc(32), text: Buffer.alloc(10), name: Buffer.alloc(1) },
  { slug: 'x'.repeat(20_000), clientKey: 'k'.repeat(20_000), text: 't'.repeat(20_000) },
  { clientId: {}, name: [], text: 123, id: 'one', authorId: null, seconds: -5, banned: 'yes', after: 1.5, key: '../x' },
  { clientId: 'abcdefgh', name: 'ok', text: 'x'.repeat(501), id: 0, seconds: 1e12, authorId: `${'a'.repeat(15)}!` },
  { id: Number.MAX_SAFE_INTEGER + 2, authorId: 'a'.repeat(17), banned: 1, seconds: 0.5, text: 7 },
  deeplyNested(200),
  JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "slug": 1}'),
];

const UNKNOWN_EVENTS = ['unknown', 'batch', 'removed', 'error', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];

/** A fuzzing connection per event, so that the per-connection request limit does not hide the validation. */
async function fuzz(event: string, join?: { key?: string }): Promise<unknown[]> {
  const client = await ChatTestClient.open(test.url);
  try {
    if (join) await client.join(slug, join);
    const acks: unknown[] = [];
    for (const payload of MALFORMED) {
      client.socket.emit(event, payload);
      acks.push(await client.socket.timeout(10_000).emitWithAck(event, payload));
    }
    acks.push(await client.socket.timeout(10_000).emitWithAck(event, MALFORMED[10], 'extra', 7, Buffer.alloc(3)));
    return acks;
  } finally {
    client.close();
  }
}

/** Sends one raw Socket.io packet on a fresh connection; a broken one closes that connection, nothing else. */
async function sendRaw(packet: string): Promise<void> {
  const client = await ChatTestClient.open(test.url);
  const closed = new Promise<void>((resolve) => client.socket.io.engine.once('close', () => resolve()));
  client.socket.io.engine.write(packet);
  // A packet the server does understand leaves the connection open; close it here instead.
  const timer = setTimeout(() => client.close(), 1000);
  await closed;
  clearTimeout(timer);
  client.close();
}

describe('malformed chat input', () => {
  it('answers every malformed request with BAD_REQUEST, tells nobody else, and keeps serving', async () => {
    const bystander = await ChatTestClient.open(test.url);
    await bystander.join(slug);

    for (const event of Object.keys(chatRequests)) {
      for (const join of [undefined, {}, { key: eventKey }]) {
        const acks = await fuzz(event, join);
        for (const ack of acks) {
          expect(ack, `${event} ${JSON.stringify(join)}`).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        }
      }
    }
    const unknown = await ChatTestClient.open(test.url);
    for (const event of UNKNOWN_EVENTS) {
      for (const payload of MALFORMED) unknown.socket.emit(event, payload, () => undefined);
    }
    // Socket.io packets as written inside an engine.io message: type digit, namespace, then the data.
    for (const packet of [
      '2/chat,["send",{"clientId":',
      '2/chat,{"not":"an array"}',
      '2/chat,[]',
      '2/chat,["disconnect"]',
      '2/chat,[{"event":"object"}]',
      '51-/chat,["send",{"_placeholder":true,"num":9}]',
      'X',
      '0/nowhere,',
      '1/chat,"unexpected"',
    ]) {
      await sendRaw(packet);
    }
    unknown.close();

    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(bystander.entries).toEqual([]);
    expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
    const sent = await bystander.ok<{ id: number }>('send', { clientId: randomToken(9), name: 'Normal', text: 'still here' });
    const newcomer = await ChatTestClient.open(test.url);
    const join = await newcomer.join(slug);
    expect(join.entries).toMatchObject([{ kind: 'message', id: sent.id, text: 'still here' }]);
    await bystander.waitForMessage('still here');
    bystander.close();
    newcomer.close();
  });
});
