import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordingFiles, recordingUrl } from '../../../../shared/recordingLayout';
import { ReplayResponse } from '../../../../shared/recordings';
import { UnavailableError } from '../../../../server/errors';
import { OriginRecordings } from '../../../../server/hls/OriginRecordings';
import { createLogger } from '../../../../server/logger';

const SEGMENT = `${recordingFiles.runRung(0, 'speech')}/seg_00001.m4s`;

/**
 * A real HTTP origin on loopback that answers every path with its own name (and what it was told to
 * answer), and remembers every request it received.
 */
let origin: http.Server;
let originUrl: string;
const requests: string[] = [];
let answers: Map<string, { status: number; body: string; cacheControl: string; delayMs?: number }>;

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = answers.get(req.url ?? '') ?? { status: 404, body: 'not found', cacheControl: 'no-store' };
    setTimeout(() => res.writeHead(answer.status, { 'cache-control': answer.cacheControl }).end(answer.body), answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));

let now: number;
beforeEach(() => {
  requests.length = 0;
  now = 1_000_000;
  answers = new Map([
    [recordingUrl('rally', SEGMENT), { status: 200, body: 'segment bytes', cacheControl: 'public, max-age=31536000, immutable' }],
    [recordingUrl('rally', recordingFiles.liveAudioPlaylist), { status: 200, body: '#EXTM3U v1', cacheControl: 'max-age=1' }],
  ]);
});

function edgeCopy(cacheBytes = 1024 * 1024, maxFetches = 32): OriginRecordings {
  return new OriginRecordings(originUrl, createLogger('silent'), { cacheBytes, maxFetches, timeoutMs: 2_000, clock: () => now });
}

describe('an edge’s copy of its origin’s recording files', () => {
  it('asks the origin once for a segment, however many attendees ask, at once or later', async () => {
    const copy = edgeCopy();
    const [first, ...others] = await Promise.all(Array.from({ length: 20 }, () => copy.get('rally', SEGMENT)));
    now += 3_600_000;
    const later = await copy.get('rally', SEGMENT);
    expect(first?.body.toString()).toBe('segment bytes');
    expect(first?.cacheControl).toBe('public, max-age=31536000, immutable');
    for (const other of [...others, later]) expect(other?.body.toString()).toBe('segment bytes');
    expect(requests).toEqual([recordingUrl('rally', SEGMENT)]);
  });

  it('asks again for a live playlist once it is a second old, and serves the new one', async () => {
    const copy = edgeCopy();
    const playlist = recordingUrl('rally', recordingFiles.liveAudioPlaylist);
    expect((await copy.get('rally', recordingFiles.liveAudioPlaylist))?.body.toString()).toBe('#EXTM3U v1');
    now += 900;
    expect((await copy.get('rally', recordingFiles.liveAudioPlaylist))?.body.toString()).toBe('#EXTM3U v1');
    answers.set(playlist, { status: 200, body: '#EXTM3U v2', cacheControl: 'max-age=1' });
    now += 200;
    expect((await copy.get('rally', recordingFiles.liveAudioPlaylist))?.body.toString()).toBe('#EXTM3U v2');
    expect(requests).toEqual([playlist, playlist]);
  });

  it('never asks the origin for a path the recording layout does not describe', async () => {
    const copy = edgeCopy();
    for (const file of ['runs/0/speech/index.m3u8', 'runs/0/run.json', '../../api/events', 'runs/0/speech/../../../x.m3u8', '.finished', 'x.m3u8']) {
      expect(await copy.get('rally', file), file).toBeUndefined();
    }
    expect(requests).toEqual([]);
  });

  it('answers a missing file as missing and does not ask again within a second', async () => {
    const copy = edgeCopy();
    const missing = `${recordingFiles.runRung(0, 'speech')}/seg_00099.m4s`;
    expect(await copy.get('rally', missing)).toBeUndefined();
    expect(await copy.get('rally', missing)).toBeUndefined();
    now += 1_100;
    expect(await copy.get('rally', missing)).toBeUndefined();
    expect(requests).toEqual([recordingUrl('rally', missing), recordingUrl('rally', missing)]);
  });

  it('keeps no more than its budget, letting the least recently used segment go first', async () => {
    const segment = (n: number) => `${recordingFiles.runRung(0, '720p')}/seg_0000${n}.m4s`;
    for (const n of [1, 2, 3]) {
      answers.set(recordingUrl('rally', segment(n)), { status: 200, body: 'x'.repeat(400), cacheControl: 'public, max-age=31536000, immutable' });
    }
    // Room for two segments and their keys, not three.
    const copy = edgeCopy(1_000);
    await copy.get('rally', segment(1));
    await copy.get('rally', segment(2));
    await copy.get('rally', segment(1));
    await copy.get('rally', segment(3));
    expect(copy.cachedBytes).toBeLessThanOrEqual(1_000);
    requests.length = 0;
    await copy.get('rally', segment(1));
    await copy.get('rally', segment(2));
    expect(requests).toEqual([recordingUrl('rally', segment(2))]);
  });

  it('refuses a miss while too many origin requests are under way, instead of piling them up', async () => {
    const slow = (n: number) => `${recordingFiles.runRung(0, '180p')}/seg_0010${n}.m4s`;
    for (const n of [1, 2, 3]) {
      answers.set(recordingUrl('rally', slow(n)), { status: 200, body: 'slow', cacheControl: 'public, max-age=31536000, immutable', delayMs: 300 });
    }
    const copy = edgeCopy(1024 * 1024, 2);
    const first = copy.get('rally', slow(1));
    const second = copy.get('rally', slow(2));
    await expect(copy.get('rally', slow(3))).rejects.toBeInstanceOf(UnavailableError);
    // A file already on its way is not a new request: it waits for that one.
    expect((await copy.get('rally', slow(1)))?.body.toString()).toBe('slow');
    await Promise.all([first, second]);
    expect((await copy.get('rally', slow(3)))?.body.toString()).toBe('slow');
  });

  it('says the origin is unavailable when it fails or cannot be reached, and keeps nothing of it', async () => {
    answers.set(recordingUrl('rally', SEGMENT), { status: 500, body: 'oops', cacheControl: 'no-store' });
    await expect(edgeCopy().get('rally', SEGMENT)).rejects.toBeInstanceOf(UnavailableError);
    const unreachable = new OriginRecordings('http://127.0.0.1:9', createLogger('silent'), { cacheBytes: 1024 });
    await expect(unreachable.get('rally', SEGMENT)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('passes on a replay description only when it matches the shared schema', async () => {
    const replay = { slug: 'rally', title: 'Rally', startedAt: null, endedAt: null, durationSeconds: 60, hasVideo: true, hasPoster: true, hasAudioDownload: false };
    answers.set('/api/replays/rally', { status: 200, body: JSON.stringify({ replay }), cacheControl: 'public, max-age=10' });
    answers.set('/api/replays/forged', { status: 200, body: JSON.stringify({ replay: { ...replay, title: 42 } }), cacheControl: 'public, max-age=10' });
    const copy = edgeCopy();
    expect(JSON.parse((await copy.getApi('/api/replays/rally', ReplayResponse))!.body.toString())).toEqual({ replay });
    await expect(copy.getApi('/api/replays/forged', ReplayResponse)).rejects.toBeInstanceOf(UnavailableError);
  });
});
