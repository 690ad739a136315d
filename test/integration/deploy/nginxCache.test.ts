import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingFiles, recordingUrl } from '../../../shared/recordingLayout';
import { waitFor } from '../../helpers/browser';
import { readRecordingFile, segmentUris } from '../../helpers/playlists';
import { NginxProcess } from '../../helpers/NginxProcess';
import { originRequests } from '../../helpers/prometheus';
import { withServerAndBrowser } from '../../helpers/serverAndBrowser';
import { SignallingClient } from '../../helpers/SignallingClient';

const VIEWERS = 50;

const test = withServerAndBrowser({ browser: false });
let nginx: NginxProcess;
let slug: string;
let dir: string;

/** Segments ffmpeg has finished: every one listed but the newest. */
const finishedSegments = async (rung: string) =>
  segmentUris(await readRecordingFile(dir, recordingFiles.rungPlaylist(rung))).slice(0, -1);
const viaCache = (file: string, init?: RequestInit) => fetch(`${nginx.url}${recordingUrl(slug, file)}`, init);
const everyone = <T>(request: () => Promise<T>) => Promise.all(Array.from({ length: VIEWERS }, request));

beforeAll(async () => {
  ({ slug } = await test.broadcast('Cached rally', { ladderSegments: 0 }));
  dir = test.server.hls.recordingDir(slug);
  nginx = test.own(await NginxProcess.start({ origin: `127.0.0.1:${test.server.port}` }));
  await waitFor(() => finishedSegments('360p'), (s) => s.length >= 4, 40_000);
});

describe('HLS through the shipped nginx cache', () => {
  it('sends one request per segment to the origin however many viewers ask for it at the same moment', async () => {
    const segments = (await finishedSegments('360p')).slice(0, 3);
    const before = await originRequests(test.url, 'segment');
    for (const segment of segments) {
      const onDisk = await fs.readFile(path.join(dir, segment));
      const responses = await everyone(async () => {
        const response = await viaCache(segment);
        return { status: response.status, cache: response.headers.get('x-cache-status'), body: Buffer.from(await response.arrayBuffer()) };
      });
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(response.body.equals(onDisk)).toBe(true);
      }
      expect(responses.filter((r) => r.cache === 'MISS'), segment).toHaveLength(1);
    }
    expect(await originRequests(test.url, 'segment')).toBe(before + segments.length);
  });

  it('hands viewers the origin’s cache rules, so a CDN in front keeps them too', async () => {
    const [segment] = await finishedSegments('360p');
    expect((await viaCache(segment!)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await viaCache(recordingFiles.master)).headers.get('cache-control')).toBe('max-age=1');
  });

  it('asks the origin for a live playlist again once its second is up, once for all viewers', async () => {
    const before = await originRequests(test.url, 'playlist');
    const first = await everyone(async () => (await viaCache(recordingFiles.audioPlaylist)).text());
    expect(new Set(first).size).toBe(1);
    expect(await originRequests(test.url, 'playlist')).toBe(before + 1);

    // The playlist grows by a segment every two seconds; its cached copy must not outlive that.
    const known = segmentUris(first[0]!);
    const newer = await waitFor(
      () => viaCache(recordingFiles.audioPlaylist).then((r) => r.text()),
      (p) => segmentUris(p).some((uri) => !known.includes(uri)),
      10_000,
    );
    expect(segmentUris(newer).slice(0, known.length)).toEqual(known);

    // nginx keeps expiry times in whole seconds: `max-age=1` lasts until the second after next.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const counted = await originRequests(test.url, 'playlist');
    await everyone(() => viaCache(recordingFiles.audioPlaylist).then((r) => r.text()));
    // One refresh for all of them (two if the machine is so slow that the refreshed copy expires too).
    const refreshes = (await originRequests(test.url, 'playlist')) - counted;
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(refreshes).toBeLessThanOrEqual(2);
  });

  it('answers byte ranges from the cached segment', async () => {
    const segment = (await finishedSegments('180p')).at(-1)!;
    const onDisk = await fs.readFile(path.join(dir, segment));
    const before = await originRequests(test.url, 'segment');
    for (const [start, end] of [[0, 99], [100, 1099], [onDisk.length - 10, onDisk.length - 1]] as const) {
      const response = await viaCache(segment, { headers: { range: `bytes=${start}-${end}` } });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${onDisk.length}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(onDisk.subarray(start, end + 1))).toBe(true);
    }
    expect(await originRequests(test.url, 'segment')).toBe(before + 1);
  });

  it('gzips playlists for viewers that accept it', async () => {
    const response = await viaCache(recordingFiles.master, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe(await readRecordingFile(dir, recordingFiles.master));
  });

  it('carries Socket.io signalling over WebSocket', async () => {
    const client = await SignallingClient.connect(nginx.url, undefined, { transports: ['websocket'], forceNew: true });
    try {
      expect(await client.ok('join', { slug })).toMatchObject({ role: 'attendee', event: { status: 'live' } });
    } finally {
      client.close();
    }
  });

  it('proxies the API and the client, and keeps /metrics for the monitoring system', async () => {
    const events = await fetch(`${nginx.url}/api/events`);
    expect(events.status).toBe(200);
    expect(((await events.json()) as { events: { slug: string }[] }).events.map((e) => e.slug)).toContain(slug);
    // A page polling the list gets its 304 through the proxy, whatever the proxy made of the ETag.
    const unchanged = await fetch(`${nginx.url}/api/events`, {
      headers: { 'if-none-match': events.headers.get('etag') ?? '', 'accept-encoding': 'gzip' },
    });
    expect(unchanged.status).toBe(304);
    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${test.url}/metrics`)).status).toBe(200);
  });
});
