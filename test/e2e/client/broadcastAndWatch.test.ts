import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inboundTotals, trackPeerConnections, waitFor, type InboundTotals } from '../../helpers/browser';
import { OPUS_PTIME_MS } from '../../../shared/media';
import { opusPacketMs } from '../../helpers/opusPackets';
import { withServerAndBrowser } from '../../helpers/serverAndBrowser';
import { SignallingClient } from '../../helpers/SignallingClient';

// Two workers: the attendee receives on the worker that does not hold the organizer's producers,
// so everything below also proves the pipe between workers.
const test = withServerAndBrowser({ env: { MEDIASOUP_WORKERS: '2' } });
let studio: Page;
let watcher: Page;
let slug: string;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Growth of the watcher's inbound RTP over a window of time. */
async function growthOver(page: Page, ms: number): Promise<InboundTotals> {
  const before = await inboundTotals(page);
  await pause(ms);
  const after = await inboundTotals(page);
  return {
    audioBytes: after.audioBytes - before.audioBytes,
    audioSamples: after.audioSamples - before.audioSamples,
    audioConcealedSamples: after.audioConcealedSamples - before.audioConcealedSamples,
    videoBytes: after.videoBytes - before.videoBytes,
    videoFramesDecoded: after.videoFramesDecoded - before.videoFramesDecoded,
    videoFrameWidth: after.videoFrameWidth,
  };
}

describe('broadcasting from the studio and watching over WebRTC', () => {
  it('lets the organizer create an event in the studio and see its key once', async () => {
    studio = await test.browser.newPage();
    await studio.goto(`${test.url}/studio`);
    await studio.getByTestId('organizer-key-input').fill(test.server.instanceKey!);
    await studio.getByTestId('organizer-key-save').click();
    await studio.getByTestId('event-title-input').fill('Jalsa e2e <b>rally</b>');
    await studio.getByTestId('create-event').click();
    const eventKey = (await studio.getByTestId('event-key').textContent())?.trim() ?? '';
    expect(eventKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const events = (await (await fetch(`${test.url}/api/events`)).json()) as { events: { slug: string; title: string }[] };
    const created = events.events.find((e) => e.title === 'Jalsa e2e <b>rally</b>');
    expect(created).toBeDefined();
    slug = created!.slug;
    expect(test.server.events.isOrganizer(slug, eventKey)).toBe(true);
  });

  it('goes live with camera and microphone from the studio page', async () => {
    await studio.goto(`${test.url}/studio/${slug}`);
    await studio.getByTestId('go-live').click();
    await expect.poll(() => studio.getByTestId('publish-state').textContent(), { timeout: 20_000 }).toBe('publishing');
    expect(await studio.getByTestId('event-status').textContent()).toBe('live');
    await expect.poll(() => test.server.rooms.getOrCreate(slug).then((r) => r.producers().length), { timeout: 10_000 }).toBe(2);
  });

  it('sends speech from the browser in packets of OPUS_PTIME_MS, as the SFU asks', async () => {
    expect(await opusPacketMs(await test.server.rooms.getOrCreate(slug))).toBe(OPUS_PTIME_MS);
  });

  it('plays the broadcast to an attendee: audio arrives and video frames decode', async () => {
    watcher = await test.browser.newPage();
    await trackPeerConnections(watcher);
    await watcher.goto(`${test.url}/e/${slug}`);
    await expect.poll(() => watcher.getByTestId('event-title').textContent()).toBe('Jalsa e2e <b>rally</b>');
    await expect.poll(() => watcher.getByTestId('connection-state').textContent(), { timeout: 20_000 }).toBe('connected');
    const totals = await waitFor(() => inboundTotals(watcher), (t) => t.videoFramesDecoded > 10 && t.audioBytes > 2000);
    expect(totals.videoFramesDecoded).toBeGreaterThan(10);
    expect(totals.audioBytes).toBeGreaterThan(2000);
  });

  it('switches the attendee to the lowest simulcast layer when they choose low quality, and back', async () => {
    const full = await waitFor(() => inboundTotals(watcher), (t) => t.videoFrameWidth >= 640, 20_000);
    expect(full.videoFrameWidth).toBeGreaterThanOrEqual(640);
    await watcher.getByTestId('quality-select').selectOption('low');
    const low = await waitFor(() => inboundTotals(watcher), (t) => t.videoFrameWidth > 0 && t.videoFrameWidth <= 320, 15_000);
    expect(low.videoFrameWidth).toBeLessThanOrEqual(320);
    await watcher.getByTestId('quality-select').selectOption('auto');
    const back = await waitFor(() => inboundTotals(watcher), (t) => t.videoFrameWidth >= 640, 20_000);
    expect(back.videoFrameWidth).toBeGreaterThanOrEqual(640);
  });

  it('stops every video byte in audio-only mode while audio keeps flowing, and restores video after', async () => {
    await watcher.getByTestId('audio-only-toggle').check();
    // Packets in flight, and retransmissions the browser asked for before the pause, may still land.
    const settled = await waitFor(() => growthOver(watcher, 1500), (g) => g.videoBytes === 0, 10_000, 0);
    expect(settled.videoBytes).toBe(0);
    const audioOnly = await growthOver(watcher, 3000);
    expect(audioOnly.videoBytes).toBe(0);
    expect(audioOnly.audioBytes).toBeGreaterThan(1000);

    await watcher.getByTestId('audio-only-toggle').uncheck();
    const restored = await waitFor(() => growthOver(watcher, 1000), (g) => g.videoFramesDecoded > 5, 15_000);
    expect(restored.videoBytes).toBeGreaterThan(0);
    expect(restored.videoFramesDecoded).toBeGreaterThan(5);
  });

  it('keeps the attendee playing while another client sends malformed and unauthorised signalling', async () => {
    const attacker = await SignallingClient.connect(test.url);
    try {
      await attacker.ok('join', { slug });
      const answers = await Promise.all([
        attacker.request('produce', { transportId: 'x', kind: 'video', rtpParameters: {} }),
        attacker.request('endEvent', {}),
        attacker.request('createTransport', { direction: 'send' }),
        attacker.request('consume', { producerId: 42 }),
        attacker.request('setAudioOnly', 'everyone'),
        attacker.request('join', { slug, key: 'k'.repeat(43) }),
      ]);
      expect(answers.every((a) => !a.ok)).toBe(true);
    } finally {
      attacker.close();
    }
    const growth = await growthOver(watcher, 2000);
    expect(growth.audioBytes).toBeGreaterThan(0);
    expect(growth.videoFramesDecoded).toBeGreaterThan(0);
    expect(test.server.events.get(slug).status).toBe('live');
  });

  it('ends the event from the studio and tells the attendee', async () => {
    studio.once('dialog', (dialog) => void dialog.accept());
    await studio.getByTestId('end-event').click();
    await expect.poll(() => studio.getByTestId('event-status').textContent(), { timeout: 10_000 }).toBe('ended');
    await expect.poll(() => watcher.getByTestId('connection-state').textContent(), { timeout: 10_000 }).toBe('ended');
  });
});
