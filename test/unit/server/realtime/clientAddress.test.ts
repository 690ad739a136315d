import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../../../server/realtime/clientAddress';

describe('clientAddress', () => {
  it('trusts the proxy’s forwarded address only from loopback, and only the entry the proxy added', () => {
    const headers = { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' };
    expect(clientAddress({ address: '127.0.0.1', headers })).toBe('203.0.113.9');
    expect(clientAddress({ address: '::ffff:127.0.0.1', headers })).toBe('203.0.113.9');
    expect(clientAddress({ address: '198.51.100.4', headers })).toBe('198.51.100.4');
    expect(clientAddress({ address: '127.0.0.1', headers: {} })).toBe('127.0.0.1');
  });
});
