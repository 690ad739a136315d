import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { whipEndpointPath } from '../../../shared/whip';
import { inboundTotals, trackPeerConnections, waitFor } from '../../helpers/browser';
import { ladderSegments, waitForLadder } from '../../helpers/ladder';
import { withServerAndBrowser } from '../../helpers/serverAndBrowser';
import { SignallingClient } from '../../helpers/SignallingClient';
import { createEvent } from '../../helpers/testServer';
import { publishOverWhip, whipConnectionState, whipSent } from '../../helpers/whipClient';

/**
 * A Chromium page publishing over WHIP exactly as OBS does (offer POSTed with the event's key, answer
 * applied, DELETE to stop), watched by another page over WebRTC and recorded over HLS.
 */
const test = withServerAndBrowser();
let slug: string;
let eventKey: string;
let studio: Page;
let encoder: Page;
let watcher: Page;
let resource: string;
/** What the studio tells the organizer to type into OBS. */
let settings: { url: string; token: string };

const producerKinds = () => test.server.rooms.get(slug)?.producers().map((p) => p.kind).sort() ?? [];

describe('publishing an event from a WHIP encoder', () => {
  it('shows the organizer the WHIP URL and, when asked, the bearer token in the event’s studio', async () => {
    ({ slug, eventKey } = await createEvent(test, 'WHIP rally'));
    studio = await test.browser.newPage();
    await studio.goto(`${test.url}/studio/${slug}`);
    await studio.getByTestId('organizer-key-input').fill(eventKey);
    await studio.getByTestId('organizer-key-save').click();
    const url = (await studio.getByTestId('whip-url').textContent()) ?? '';
    expect(url).toBe(`${test.url}${whipEndpointPath(slug)}`);
    expect(await studio.getByTestId('whip-token').textContent()).not.toContain(eventKey);
    await studio.getByTestId('whip-token-toggle').click();
    settings = { url, token: (await studio.getByTestId('whip-token').textContent()) ?? '' };
    expect(settings.token).toBe(eventKey);
  });

  it('answers the encoder’s offer with 201, an SDP answer and a resource URL that names the session, not the key', async () => {
    encoder = await test.browser.newPage();
    // The encoder's page lives on the server's origin, as OBS needs no CORS.
    await encoder.goto(`${test.url}/healthz`);
    const result = await publishOverWhip(encoder, { endpoint: settings.url, key: settings.token, simulcast: true });
    expect(result.status).toBe(201);
    expect(result.contentType).toMatch(/^application\/sdp/);
    expect(result.location).toMatch(new RegExp(`^/whip/${slug}/[0-9a-f]{32}$`));
    expect(result.location).not.toContain(eventKey);
    resource = result.location!;
  });

  it('connects, puts the event live and the encoder’s audio, and video in three simulcast layers, into the room', async () => {
    await expect.poll(() => whipConnectionState(encoder)).toBe('connected');
    await expect.poll(() => test.server.events.get(slug).status).toBe('live');
    // The studio hears of it as of any going live.
    await expect.poll(() => studio.getByTestId('event-status').textContent()).toBe('live');
    await expect.poll(producerKinds).toEqual(['audio', 'video']);
    const sent = await waitFor(() => whipSent(encoder), (s) => s.rids.length === 3 && s.audioBytes > 0);
    expect(sent.rids.sort()).toEqual(['f', 'h', 'q']);
  });

  it('plays the encoder’s media to an attendee over WebRTC: audio arrives and video frames decode', async () => {
    watcher = await test.browser.newPage();
    await trackPeerConnections(watcher);
    await watcher.goto(`${test.url}/e/${slug}`);
    await expect.poll(() => watcher.getByTestId('connection-state').textContent(), { timeout: 20_000 }).toBe('connected');
    const totals = await waitFor(() => inboundTotals(watcher), (t) => t.videoFramesDecoded > 10 && t.audioBytes > 2000);
    expect(totals.videoFramesDecoded).toBeGreaterThan(10);
    expect(totals.audioBytes).toBeGreaterThan(2000);
  });

  it('refuses the studio’s camera while the encoder publishes, so a studio opened meanwhile cannot cut it off', async () => {
    const organizer = await SignallingClient.connect(test.url);
    try {
      await organizer.ok('join', { slug, key: eventKey });
      const transport = await organizer.ok<{ id: string }>('createTransport', { direction: 'send' });
      const rtpParameters = { mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48_000, channels: 2 }], encodings: [{ ssrc: 4242 }] };
      const produced = await organizer.request('produce', { transportId: transport.id, kind: 'audio', rtpParameters });
      expect(produced.ok).toBe(false);
      expect(!produced.ok && produced.error).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/WHIP/) });
    } finally {
      organizer.close();
    }
    expect(producerKinds()).toEqual(['audio', 'video']);
  });

  it('feeds the HLS ladder (and so the recording) from the encoder', async () => {
    await waitForLadder(test, slug, 2);
  });

  it('stops publishing on DELETE of the resource with the key, and leaves the event live for its organizer to end', async () => {
    const response = await fetch(`${test.url}${resource}`, { method: 'DELETE', headers: { Authorization: `Bearer ${eventKey}` } });
    expect(response.status).toBe(200);
    await expect.poll(producerKinds).toEqual([]);
    expect(test.server.events.get(slug).status).toBe('live');
    expect(test.server.whip.isPublishing(slug)).toBe(false);
  });

  it('takes the encoder back after the stop: a new POST publishes again', async () => {
    await encoder.evaluate(() => (window as unknown as { __whip?: RTCPeerConnection }).__whip?.close());
    const before = await inboundTotals(watcher);
    const again = await publishOverWhip(encoder, { endpoint: `${test.url}${whipEndpointPath(slug)}`, key: eventKey });
    expect(again.status).toBe(201);
    expect(again.location).not.toBe(resource);
    resource = again.location!;
    await expect.poll(producerKinds).toEqual(['audio', 'video']);
    // The attendee's page follows the new producers by itself.
    const after = await waitFor(
      () => inboundTotals(watcher),
      (t) => t.audioBytes > before.audioBytes + 2000 && t.videoFramesDecoded > before.videoFramesDecoded + 10,
    );
    expect(after.audioBytes).toBeGreaterThan(before.audioBytes + 2000);
    expect(after.videoFramesDecoded).toBeGreaterThan(before.videoFramesDecoded + 10);
  });

  it('takes H.264 as OBS sends it: the attendee decodes it and the HLS ladder goes on growing', async () => {
    expect((await fetch(`${test.url}${resource}`, { method: 'DELETE', headers: { Authorization: `Bearer ${eventKey}` } })).status).toBe(200);
    await encoder.evaluate(() => (window as unknown as { __whip?: RTCPeerConnection }).__whip?.close());
    const before = await inboundTotals(watcher);
    const segmentsBefore = await ladderSegments(test, slug);
    const h264 = await publishOverWhip(encoder, { endpoint: `${test.url}${whipEndpointPath(slug)}`, key: eventKey, videoCodec: 'video/H264' });
    expect(h264.status).toBe(201);
    const sending = await encoder.evaluate(() =>
      (window as unknown as { __whip: RTCPeerConnection }).__whip.getSenders().find((s) => s.track?.kind === 'video')?.getParameters().codecs[0]?.mimeType,
    );
    expect(sending).toBe('video/H264');
    const after = await waitFor(
      () => inboundTotals(watcher),
      (t) => t.audioBytes > before.audioBytes + 2000 && t.videoFramesDecoded > before.videoFramesDecoded + 10,
    );
    expect(after.videoFramesDecoded).toBeGreaterThan(before.videoFramesDecoded + 10);
    await waitForLadder(test, slug, segmentsBefore + 2);
  });
});
