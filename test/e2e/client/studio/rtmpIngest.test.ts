import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inboundTotals, trackPeerConnections, waitFor } from '../../../helpers/browser';
import { startRtmpEncoder, type RtmpEncoder } from '../../../helpers/rtmpEncoder';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';
import { readPlayer } from '../../../helpers/watchPage';

const test = withServerAndBrowser({ env: { RTMP_ENABLED: 'true', RTMP_PORT: '0' } });
let slug: string;
let studio: Page;
let viewer: Page;
let serverUrl: string;
let streamKey: string;
let encoder: RtmpEncoder;

const rtmpState = () => studio.getByTestId('rtmp-state').getAttribute('data-state');
const producerKinds = async () => (await test.server.rooms.getOrCreate(slug)).producers().map((p) => p.kind).sort();

beforeAll(async () => {
  const created = await createEvent(test, 'Encoder rally');
  slug = created.slug;
  studio = await test.browser.newPage();
  await studio.goto(`${test.url}/studio/${slug}`);
  await studio.getByTestId('organizer-key-input').fill(created.eventKey);
  await studio.getByTestId('organizer-key-save').click();
});

describe('going live from an encoder over RTMP', () => {
  it('shows the studio the server and stream key to paste into OBS, the key folded away', async () => {
    await expect.poll(rtmpState).toBe('waiting');
    serverUrl = (await studio.getByTestId('rtmp-server-url').textContent()) ?? '';
    expect(serverUrl).toBe(`rtmp://127.0.0.1:${test.server.rtmp!.port}/live`);
    expect(await studio.getByTestId('rtmp-stream-key').isVisible()).toBe(false);
    await studio.getByTestId('rtmp-settings').locator('summary').click();
    streamKey = (await studio.getByTestId('rtmp-stream-key').textContent()) ?? '';
    expect(streamKey.startsWith(`${slug}_`)).toBe(true);
  });

  it('goes live when the encoder publishes with those settings, watched in Chromium with sound and picture', async () => {
    encoder = test.own(await startRtmpEncoder(`${serverUrl}/${streamKey}`));
    await expect.poll(rtmpState, { timeout: 20_000 }).toBe('receiving');
    expect(await studio.getByTestId('event-status').getAttribute('data-status')).toBe('live');
    // The encoder is the event's media: the studio's own microphone and camera stay off the air.
    expect(await studio.getByTestId('publish-state').getAttribute('data-state')).toBe('encoder');
    expect(await producerKinds()).toEqual(['audio', 'video']);

    viewer = await test.browser.newPage();
    await trackPeerConnections(viewer);
    await viewer.goto(`${test.url}/e/${slug}`);
    const view = await waitFor(() => readPlayer(viewer), (v) => v.path === 'webrtc' && v.video.playing && v.video.videoDecodedBytes > 0);
    expect(view.path).toBe('webrtc');
    const totals = await waitFor(() => inboundTotals(viewer), (t) => t.audioBytes > 4_000 && t.videoBytes > 50_000);
    expect(totals.audioBytes).toBeGreaterThan(4_000);
    expect(totals.videoBytes).toBeGreaterThan(50_000);
  });

  it('keeps the event live when the encoder disconnects, tells the studio, and takes the encoder back', async () => {
    await encoder.close();
    await expect.poll(rtmpState).toBe('disconnected');
    expect(await studio.getByTestId('event-status').getAttribute('data-status')).toBe('live');
    await expect.poll(producerKinds).toEqual([]);
    // The studio does not go on air by itself: it offers to.
    expect(await studio.getByTestId('rtmp-use-microphone').isVisible()).toBe(true);

    encoder = test.own(await startRtmpEncoder(`${serverUrl}/${streamKey}`));
    await expect.poll(rtmpState, { timeout: 20_000 }).toBe('receiving');
    // Read once the new producers exist: the viewer's counters of the old ones may go with them.
    const before = await inboundTotals(viewer);
    const after = await waitFor(() => inboundTotals(viewer), (t) => t.videoBytes > before.videoBytes + 50_000 && t.audioBytes > before.audioBytes + 4_000);
    expect(after.videoBytes).toBeGreaterThan(before.videoBytes + 50_000);
  });

  it('leaves the encoder on air when the studio is opened again mid-broadcast', async () => {
    await studio.reload();
    await expect.poll(rtmpState).toBe('receiving');
    await expect.poll(() => studio.getByTestId('publish-state').getAttribute('data-state')).toBe('encoder');
    expect(await producerKinds()).toEqual(['audio', 'video']);
  });
});
