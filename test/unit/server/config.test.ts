import { describe, expect, it } from 'vitest';
import { insecureOriginRefusal, loadConfig } from '../../../server/config';
import { generateKey } from '../../../server/events/organizerKeys';

describe('ORGANIZER_KEY', () => {
  it('accepts a key of the form the server generates', () => {
    const key = generateKey();
    expect(loadConfig({ ORGANIZER_KEY: key }).organizerKey).toBe(key);
  });

  it('refuses at start, naming the variable, a key that bearer headers and the studio could not carry', () => {
    for (const key of ['correct horse battery staple', 'key-with-a-slash/0123456789', 'ümlaut-0123456789abcdef', 'short']) {
      expect(() => loadConfig({ ORGANIZER_KEY: key }), key).toThrowError(/ORGANIZER_KEY/);
    }
    expect(() => loadConfig({ ORGANIZER_KEY: 'has spaces in it 0123456789' })).toThrowError(
      /only the characters A–Z a–z 0–9 _ -/,
    );
  });
});

describe('an edge’s origin', () => {
  const clusterKey = 'c'.repeat(32);

  it('may be https anywhere, and plain http on loopback only', () => {
    expect(insecureOriginRefusal('https://origin.example.org', false)).toBeUndefined();
    for (const loopback of ['http://127.0.0.1:3000', 'http://127.8.9.10', 'http://localhost:3000', 'http://[::1]:3000']) {
      expect(insecureOriginRefusal(loopback, false), loopback).toBeUndefined();
    }
    for (const remote of ['http://origin.example.org', 'http://10.0.0.5:3000', 'http://127.0.0.1.example.org', 'http://[::2]']) {
      expect(insecureOriginRefusal(remote, false), remote).toMatch(/CLUSTER_KEY .* plain http/);
    }
  });

  it('may be plain http elsewhere when ALLOW_INSECURE_ORIGIN says the network is private', () => {
    expect(insecureOriginRefusal('http://10.0.0.5:3000', true)).toBeUndefined();
    const config = loadConfig({ EDGE_ORIGIN_URL: 'http://10.0.0.5:3000', CLUSTER_KEY: clusterKey, ALLOW_INSECURE_ORIGIN: 'true' });
    expect(config.cluster.originUrl).toBe('http://10.0.0.5:3000');
  });

  it('refuses to start an edge that would send the cluster key over plain http', () => {
    expect(() => loadConfig({ EDGE_ORIGIN_URL: 'http://10.0.0.5:3000', CLUSTER_KEY: clusterKey })).toThrowError(
      /CLUSTER_KEY to its origin over plain http.*ALLOW_INSECURE_ORIGIN=true.*\n.*at EDGE_ORIGIN_URL/,
    );
    expect(loadConfig({ EDGE_ORIGIN_URL: 'http://127.0.0.1:3000', CLUSTER_KEY: clusterKey }).cluster.originUrl).toBe('http://127.0.0.1:3000');
  });
});

describe('RTMP ingest settings', () => {
  it('is off by default, on OBS’s port when turned on', () => {
    expect(loadConfig({}).rtmp).toMatchObject({ enabled: false, port: 1935, host: '0.0.0.0', publicAddress: undefined });
    expect(loadConfig({ RTMP_ENABLED: 'true', RTMP_PUBLIC_ADDRESS: 'live.example.org:1935' }).rtmp).toMatchObject({
      enabled: true,
      publicAddress: 'live.example.org:1935',
    });
  });

  it('refuses a public address that is more than a host and port, since the studio puts it into a URL', () => {
    expect(() => loadConfig({ RTMP_PUBLIC_ADDRESS: 'rtmp://live.example.org/live' })).toThrow(/RTMP_PUBLIC_ADDRESS/);
  });
});
