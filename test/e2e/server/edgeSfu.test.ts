import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_NAMESPACE } from '../../../shared/edge';
import { inboundTotals, trackPeerConnections, waitFor } from '../../helpers/browser';
import { startServerProcess, type ServerProcess } from '../../helpers/serverProcess';
import { ChatTestClient, randomToken } from '../../helpers/ChatTestClient';
import { startRedis, type TestRedis } from '../../helpers/redisServer';
import { withServerAndBrowser } from '../../helpers/serverAndBrowser';
import { SignallingClient } from '../../helpers/SignallingClient';

const CLUSTER_KEY = 'test-cluster-key-0123456789abcdef';

let redis: TestRedis;
let edge: ServerProcess;
let slug: string;
let eventKey: string;
let watcher: Page;

// Declared first, so that it starts first and is closed last.
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

const shared = () => ({ CLUSTER_KEY, PIPE_LISTEN_IP: '127.0.0.1', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix });
const origin = withServerAndBrowser({ env: shared });

beforeAll(async () => {
  edge = await startServerProcess({ ...shared(), EDGE_ORIGIN_URL: origin.url });
  ({ slug, eventKey } = await origin.broadcast('Relayed rally', { ladderSegments: 0 }));
}, 90_000);
afterAll(async () => {
  ChatTestClient.closeAll();
  await edge?.stop();
});

describe('an edge SFU fed by the origin over a PipeTransport', () => {
  it('plays the origin’s broadcast to an attendee connected to the edge', async () => {
    watcher = await origin.browser.newPage();
    await trackPeerConnections(watcher);
    await watcher.goto(`${edge.url}/e/${slug}`);
    await expect.poll(() => watcher.getByTestId('event-title').textContent(), { timeout: 15_000 }).toBe('Relayed rally');
    await expect.poll(() => watcher.getByTestId('connection-state').textContent(), { timeout: 30_000 }).toBe('connected');
    const totals = await waitFor(() => inboundTotals(watcher), (t) => t.videoFramesDecoded > 10 && t.audioBytes > 2000, 30_000);
    expect(totals.videoFramesDecoded).toBeGreaterThan(10);
    expect(totals.audioBytes).toBeGreaterThan(2000);
  });

  it('carries chat between the edge’s attendees and the origin’s through Redis', async () => {
    const atEdge = await ChatTestClient.open(edge.url);
    const atOrigin = await ChatTestClient.open(origin.url);
    await atEdge.join(slug);
    await atOrigin.join(slug);
    await atEdge.ok('send', { clientId: randomToken(9), name: 'Ayesha', text: 'Hello from the edge' });
    const received = await atOrigin.waitFor((entries) => entries.some((e) => 'text' in e && e.text === 'Hello from the edge'), 'the edge message');
    expect(received.length).toBeGreaterThan(0);
  });

  it('refuses organizers on the edge: events are run at the origin', async () => {
    const client = await SignallingClient.connect(edge.url);
    try {
      expect(await client.request('join', { slug, key: eventKey })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    } finally {
      client.close();
    }
  });

  it('refuses an edge link without the cluster key', async () => {
    const socket = io(`${origin.url}${EDGE_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      auth: { clusterKey: 'wrong-key-wrong-key-wrong-key' },
    });
    const refusal = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (error) => resolve(error.message));
    });
    socket.close();
    expect(refusal).toBe('unauthorized');
  });

  it('passes the end of the event on to the edge’s attendees', async () => {
    origin.server.events.end(slug);
    await expect.poll(() => watcher.getByTestId('connection-state').textContent(), { timeout: 15_000 }).toBe('ended');
  });
});
