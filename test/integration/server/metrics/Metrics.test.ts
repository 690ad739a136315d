import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FfmpegPublisher } from '../../../../server/sfu/FfmpegPublisher';
import { recordingFiles, recordingUrl } from '../../../../shared/recordingLayout';
import { waitFor } from '../../../helpers/browser';
import { ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { sample, scrape } from '../../../helpers/prometheus';
import { SignallingClient } from '../../../helpers/SignallingClient';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../../../helpers/testServer';

let test: TestServer;
let slug: string;
let publisher: FfmpegPublisher;
const clients: SignallingClient[] = [];

async function attendee(mode?: string): Promise<SignallingClient> {
  const client = await SignallingClient.connect(test.url, undefined, { forceNew: true });
  clients.push(client);
  await client.ok('join', { slug });
  if (mode) await client.ok('reportPlayback', { mode });
  return client;
}

const metric = async (name: string, labels: Record<string, string> = {}) => sample(await scrape(test.url), name, labels);

beforeAll(async () => {
  test = await startTestServer();
  ({ slug } = await createEvent(test, 'Measured rally'));
  publisher = await publishTestPattern(test, slug, { width: 320, height: 180 });
});
afterAll(async () => {
  publisher?.close();
  await test?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('/metrics', () => {
  it('counts attendees of a live event by the delivery mode their player reports, until they leave', async () => {
    await attendee('webrtc');
    await attendee('hls-video');
    await attendee('audio-only');
    const leaving = await attendee('audio-only');
    const switching = await attendee('hls-video');
    await switching.ok('reportPlayback', { mode: 'audio-only' });
    await attendee(); // joined, not playing yet: not counted in any mode

    const text = await scrape(test.url);
    expect(sample(text, 'jalsa_attendees', { event: slug, mode: 'webrtc' })).toBe(1);
    expect(sample(text, 'jalsa_attendees', { event: slug, mode: 'hls-video' })).toBe(1);
    expect(sample(text, 'jalsa_attendees', { event: slug, mode: 'audio-only' })).toBe(3);

    leaving.close();
    const after = await waitFor(() => metric('jalsa_attendees', { event: slug, mode: 'audio-only' }), (n) => n === 2, 5_000);
    expect(after).toBe(2);
  });

  it('refuses a playback report before joining or with an unknown mode, and the connection goes on', async () => {
    const client = await SignallingClient.connect(test.url, undefined, { forceNew: true });
    clients.push(client);
    expect(await client.request('reportPlayback', { mode: 'webrtc' })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    await client.ok('join', { slug });
    for (const bad of [{ mode: 'carrier-pigeon' }, {}, 'webrtc', null, { mode: ['webrtc'] }]) {
      expect(await client.request('reportPlayback', bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await client.request('reportPlayback', { mode: 'webrtc' })).toEqual({ ok: true, data: {} });
  });

  it('exports the organizer’s ingest bitrate and loss, the packager state and the WebRTC seats in use', async () => {
    const text = await waitFor(
      () => scrape(test.url),
      (t) =>
        (sample(t, 'jalsa_ingest_bitrate_bps', { event: slug, kind: 'video' }) ?? 0) > 0 &&
        (sample(t, 'jalsa_ingest_bitrate_bps', { event: slug, kind: 'audio' }) ?? 0) > 0 &&
        sample(t, 'jalsa_packager_state', { event: slug, state: 'running' }) === 1,
      30_000,
    );
    expect(sample(text, 'jalsa_ingest_bitrate_bps', { event: slug, kind: 'video' })).toBeGreaterThan(20_000);
    expect(sample(text, 'jalsa_ingest_loss_ratio', { event: slug, kind: 'video' })).toBe(0);
    expect(sample(text, 'jalsa_ingest_packets_lost', { event: slug, kind: 'audio' })).toBe(0);
    expect(sample(text, 'jalsa_packager_state', { event: slug, state: 'failed' })).toBe(0);
    expect(sample(text, 'jalsa_live_events')).toBe(1);

    const capacity = sample(text, 'jalsa_webrtc_seats_capacity');
    expect(capacity).toBe(test.server.config.sfu.seatsPerWorker);
    const before = sample(text, 'jalsa_webrtc_seats_used')!;
    const viewer = await attendee('webrtc');
    await viewer.ok('createTransport', { direction: 'recv' });
    expect(await metric('jalsa_webrtc_seats_used')).toBe(before + 1);
    viewer.close();
    expect(await waitFor(() => metric('jalsa_webrtc_seats_used'), (n) => n === before, 5_000)).toBe(before);
  });

  it('counts chat entries per event', async () => {
    const chat = await ChatTestClient.open(test.url);
    try {
      await chat.join(slug);
      for (const text of ['one', 'two', 'three']) await chat.ok('send', { clientId: randomToken(9), name: 'Ayesha', text });
      const count = await waitFor(() => metric('jalsa_chat_entries_total', { event: slug }), (n) => n === 3, 5_000);
      expect(count).toBe(3);
    } finally {
      chat.close();
    }
  });

  it('keeps the metrics of two servers in one process apart, each with process metrics', async () => {
    const other = await startTestServer();
    try {
      const text = await scrape(other.url);
      expect(sample(text, 'jalsa_attendees', { event: slug })).toBeUndefined();
      expect(sample(text, 'jalsa_live_events')).toBe(0);
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sample(await scrape(test.url), 'jalsa_live_events')).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('counts HLS requests the origin answered, by file type and status', async () => {
    const served = (type: string, status: string) => metric('jalsa_hls_origin_requests_total', { type, status });
    const playlistsBefore = (await served('playlist', '200')) ?? 0;
    const missingBefore = (await served('segment', '404')) ?? 0;
    const fetchFile = (file: string) => fetch(`${test.url}${recordingUrl(slug, file)}`);
    await waitFor(() => fetchFile(recordingFiles.audioPlaylist).then((r) => r.status), (s) => s === 200, 30_000);
    expect((await fetchFile(`${recordingFiles.run(0)}/nothing.m4s`)).status).toBe(404);
    expect(await served('playlist', '200')).toBeGreaterThan(playlistsBefore);
    expect(await served('segment', '404')).toBe(missingBefore + 1);
  });
});

describe('/metrics access', () => {
  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const token = randomToken(24);
    const guarded = await startTestServer({ METRICS_TOKEN: token });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('jalsa_live_events');
    } finally {
      await guarded.close();
    }
  });
});
