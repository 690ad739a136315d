import { describe, expect, it } from 'vitest';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { SignallingClient } from '../../../helpers/SignallingClient';
import { createEvent } from '../../../helpers/testServer';

const test = withServerAndBrowser();

describe('the organizer’s live figures in the studio', () => {
  it('shows attendees by delivery mode, the camera’s ingest, the recorder, chat and seats while live', async () => {
    const { slug, eventKey } = await createEvent(test, 'Dashboard rally');
    const studio = await test.browser.newPage();
    await studio.goto(`${test.url}/studio/${slug}`);
    await studio.getByTestId('organizer-key-input').fill(eventKey);
    await studio.getByTestId('organizer-key-save').click();
    await studio.getByTestId('go-live').click();
    await expect.poll(() => studio.getByTestId('publish-state').textContent(), { timeout: 20_000 }).toBe('publishing');

    const attendees = await Promise.all(['hls-video', 'audio-only', 'audio-only'].map(async (mode) => {
      const attendee = await SignallingClient.connect(test.url, undefined, { forceNew: true });
      await attendee.ok('join', { slug });
      await attendee.ok('reportPlayback', { mode });
      return attendee;
    }));
    try {
      const figures = studio.getByTestId('event-dashboard');
      await expect.poll(() => figures.getByTestId('stats-attendees').textContent(), { timeout: 10_000 }).toBe(
        '3 — 0 WebRTC, 1 HLS video, 2 audio only',
      );
      await expect.poll(() => figures.getByTestId('stats-ingest-video').textContent(), { timeout: 20_000 }).toMatch(
        /^[1-9]\d* kbps, \d+(\.\d)? % lost/,
      );
      await expect.poll(() => figures.getByTestId('stats-packager').textContent(), { timeout: 30_000 }).toBe('recording');
      expect(await figures.getByTestId('stats-chat').textContent()).toBe('0 per minute');
      expect(await figures.getByTestId('stats-seats').textContent()).toBe(`0 of ${test.server.config.sfu.seatsPerWorker} in use`);

      attendees.pop()!.close();
      await expect.poll(() => figures.getByTestId('stats-attendees').textContent(), { timeout: 10_000 }).toBe(
        '2 — 0 WebRTC, 1 HLS video, 1 audio only',
      );
    } finally {
      for (const attendee of attendees) attendee.close();
      await studio.close();
    }
  });
});
