import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AddressConnectionLimit } from '../../../../server/realtime/AddressConnectionLimit';

/** An engine.io connection as the limit sees it: the handshake request and its close. */
class FakeConnection extends EventEmitter {
  readonly request: IncomingMessage;

  constructor(address: string, forwardedFor?: string) {
    super();
    const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
    this.request = { socket: { remoteAddress: address }, headers } as unknown as IncomingMessage;
  }
}

function allows(limit: AddressConnectionLimit, connection: FakeConnection): boolean {
  let allowed: boolean | undefined;
  limit.allowRequest(connection.request, (_error, ok) => (allowed = ok));
  return allowed!;
}

function connect(limit: AddressConnectionLimit, engine: EventEmitter, connection: FakeConnection): boolean {
  const allowed = allows(limit, connection);
  if (allowed) engine.emit('connection', connection);
  return allowed;
}

describe('AddressConnectionLimit', () => {
  it('refuses an address its connections over the cap, and admits it again when one closes', () => {
    const limit = new AddressConnectionLimit(2);
    const engine = new EventEmitter();
    limit.watch(engine);
    const first = new FakeConnection('203.0.113.7');
    expect([first, new FakeConnection('203.0.113.7')].map((c) => connect(limit, engine, c))).toEqual([true, true]);
    expect(connect(limit, engine, new FakeConnection('203.0.113.7'))).toBe(false);
    expect(connect(limit, engine, new FakeConnection('198.51.100.9'))).toBe(true);

    first.emit('close');
    expect(limit.open('203.0.113.7')).toBe(1);
    expect(connect(limit, engine, new FakeConnection('203.0.113.7'))).toBe(true);
  });

  it('counts clients behind the local proxy by the address it adds, not by what they wrote', () => {
    const limit = new AddressConnectionLimit(1);
    const engine = new EventEmitter();
    limit.watch(engine);
    expect(connect(limit, engine, new FakeConnection('127.0.0.1', '203.0.113.7'))).toBe(true);
    expect(connect(limit, engine, new FakeConnection('127.0.0.1', '198.51.100.1, 203.0.113.7'))).toBe(false);
    expect(connect(limit, engine, new FakeConnection('127.0.0.1', '198.51.100.9'))).toBe(true);
    // Only the local proxy is believed: a remote client's header is its own writing.
    expect(connect(limit, engine, new FakeConnection('192.0.2.5', '198.51.100.77'))).toBe(true);
    expect(connect(limit, engine, new FakeConnection('192.0.2.5', '198.51.100.78'))).toBe(false);
  });
});
