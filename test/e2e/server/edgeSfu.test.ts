import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_NAMESPACE } from '../../../shared/edge';
import { speechRung } from '../../../shared/ladder';
import { recordingFiles, recordingUrl, recordingUrls } from '../../../shared/recordingLayout';
import { inboundTotals, trackPeerConnections, waitFor } from '../../helpers/browser';
import { waitForLadder } from '../../helpers/ladder';
import { segmentUris } from '../../helpers/playlists';
import { startServerProcess, type ServerProcess } from '../../helpers/serverProcess';
import { ChatTestClient, randomToken } from '../../helpers/ChatTestClient';
import { startRedis, type TestRedis } from '../../helpers/redisServer';
import { withServerAndBrowser } from '../../helpers/serverAndBrowser';
import { SignallingClient } from '../../helpers/SignallingClient';
import { progressOver, readPlayer } from '../../helpers/watchPage';

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
  // One WebRTC seat on the edge: its first attendee receives over WebRTC, the next overflows to HLS.
  edge = await startServerProcess({ ...shared(), EDGE_ORIGIN_URL: origin.url, WEBRTC_SEATS_PER_WORKER: '1' });
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

  it('serves the origin’s HLS files itself, byte for byte, and nothing outside the recording layout', async () => {
    await waitForLadder(origin, slug, 2);
    const fromEdge = async (file: string) => fetch(`${edge.url}${recordingUrl(slug, file)}`);
    const playlist = await fromEdge(recordingFiles.liveRungPlaylist(speechRung.name));
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('max-age=1');
    const segment = segmentUris(await playlist.text())[0]!;
    const [atEdge, atOrigin] = await Promise.all([fromEdge(segment), fetch(`${origin.url}${recordingUrl(slug, segment)}`)]);
    expect(atEdge.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await atEdge.arrayBuffer()).equals(Buffer.from(await atOrigin.arrayBuffer()))).toBe(true);
    for (const hostile of ['runs/0/speech/index.m3u8', 'runs/0/run.json', 'runs/0/input.sdp', '..%2F..%2Fapi%2Fevents', 'runs/0/speech/..%2F..%2F..%2Fmaster.m3u8']) {
      expect((await fromEdge(hostile)).status, hostile).toBe(404);
    }
  });

  it('sends an attendee the edge has no WebRTC seat for to HLS served by the edge: the speech rung plays through the audio pipe', async () => {
    const overflow = await origin.browser.newPage();
    const requested: URL[] = [];
    overflow.on('request', (request) => requested.push(new URL(request.url())));
    try {
      await overflow.goto(`${edge.url}/e/${slug}`);
      await waitFor(() => readPlayer(overflow), (v) => v.connection === 'connected' && v.path === 'hls');
      await overflow.getByTestId('audio-only-toggle').check();
      await waitFor(() => readPlayer(overflow), (v) => v.mode === 'audio' && v.audio.playing);
      const heard = await waitFor(() => progressOver(overflow, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0);
      expect(heard.seconds).toBeGreaterThan(1);
      const hls = requested.filter((url) => url.pathname.startsWith(recordingUrl(slug, '')));
      expect(hls.map((url) => url.pathname)).toContain(recordingUrls(slug).liveSpeech);
      expect(hls.every((url) => url.origin === edge.url)).toBe(true);
    } finally {
      await overflow.close();
    }
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
