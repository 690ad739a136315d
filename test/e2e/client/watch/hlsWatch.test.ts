import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { audioRung, SEGMENT_SECONDS, speechRung, videoRungs } from '../../../../shared/ladder';
import { LIVE_WINDOW_SEGMENTS, recordingFiles, recordingUrl, recordingUrls } from '../../../../shared/recordingLayout';
import { waitFor } from '../../../helpers/browser';
import { appendMessages } from '../../../helpers/ChatTestClient';
import { withServerAndBrowser, type TestPublisher } from '../../../helpers/serverAndBrowser';
import { holds, progressOver, readPlayer } from '../../../helpers/watchPage';

// No WebRTC seat for any attendee: the server sends everyone to HLS.
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '0' } });
let page: Page;
let slug: string;
let publisher: TestPublisher;
/** Every URL the watch page requested, in order. */
const requested: string[] = [];

/**
 * The video rungs' playlists among `urls`: the live windows hls.js should follow, and the whole-event
 * playlists, which grow with the event and which it must not load while the event is live.
 */
function videoPlaylists(urls: string[]): { windows: string[]; whole: string[] } {
  const named = (file: (rung: string) => string) => videoRungs.map((rung) => recordingUrl(slug, file(rung.name)));
  const [windows, whole] = [named(recordingFiles.liveRungPlaylist), named(recordingFiles.rungPlaylist)];
  return { windows: urls.filter((url) => windows.includes(url)), whole: urls.filter((url) => whole.includes(url)) };
}

/** The speech rung's segments among `urls`. */
function speechSegments(urls: string[]): string[] {
  return urls.filter((url) => new RegExp(`/runs/\\d+/${speechRung.name}/seg_\\d+\\.m4s$`).test(url));
}

beforeAll(async () => {
  ({ slug, publisher } = await test.broadcast('HLS rally'));
  page = await test.browser.newPage();
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
});

describe('watching a live event over HLS', () => {
  it('plays the HLS ladder when the server has no WebRTC seat: the picture moves and sound is decoded', async () => {
    await page.goto(`${test.url}/e/${slug}`);
    const view = await waitFor(() => readPlayer(page), (v) => v.connection === 'connected' && v.mode === 'video');
    expect(view.path).toBe('hls');
    const progress = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0 && p.videoDecodedBytes > 0);
    expect(progress.seconds).toBeGreaterThan(1);
    expect(progress.audioDecodedBytes).toBeGreaterThan(0);
    expect(progress.videoDecodedBytes).toBeGreaterThan(0);
    // hls.js follows the video rungs' live windows, whose loads stay small however long the event runs.
    const loaded = videoPlaylists(requested);
    expect(loaded.windows.length).toBeGreaterThan(0);
    expect(loaded.whole).toEqual([]);
    expect(requested).toContain(recordingUrls(slug).liveMaster);
    // The server counts its HLS viewers by what their players report.
    await expect.poll(() => test.server.audience.playbackCounts().get(slug)?.['hls-video']).toBe(1);
  });

  it('switches to the Opus speech rung through the audio pipe with the stage picture when the attendee asks, and back to video', async () => {
    // While video plays live, the speech rung loads alongside on the paused audio element (the reserve):
    // the sound from the playhead on is there before anyone asks for it.
    const reserved = await waitFor(() => readPlayer(page), (v) => !v.audio.playing && holds(v.audio, v.video.currentTime, v.video.currentTime + 2));
    expect(reserved.mode).toBe('video');
    const before = requested.length;
    const reserveSegments = speechSegments(requested);
    expect(reserveSegments.length).toBeGreaterThan(0);
    await page.getByTestId('audio-only-toggle').check();
    const audio = await waitFor(() => readPlayer(page), (v) => v.mode === 'audio' && v.audio.playing && v.poster);
    expect(audio.mode).toBe('audio');
    expect(audio.video.playing).toBe(false);
    expect(audio.poster).toBe(true);
    const heard = await progressOver(page, 3_000);
    expect(heard.seconds).toBeGreaterThan(1.5);
    expect(heard.audioDecodedBytes).toBeGreaterThan(0);
    expect(heard.videoDecodedBytes).toBe(0);
    // Chromium's MSE takes Opus in fMP4, and the attendee asked to save data: the 16 kbps rung, not AAC's.
    const audioOnly = requested.slice(before);
    // The audio pipe follows the live window, never the whole event's playlist, which grows for hours.
    expect(audioOnly).toContain(recordingUrls(slug).liveSpeech);
    expect(audioOnly).not.toContain(recordingUrls(slug).speech);
    expect(speechSegments(audioOnly).length).toBeGreaterThan(0);
    // It played what the reserve held: not a segment fetched again.
    expect(speechSegments(audioOnly).filter((url) => reserveSegments.includes(url))).toEqual([]);
    expect(audioOnly.filter((url) => url.includes(`/${audioRung.name}/`) || url === recordingUrls(slug).audioOnly)).toEqual([]);
    await expect.poll(() => test.server.audience.playbackCounts().get(slug)?.['audio-only']).toBe(1);

    const backToVideo = requested.length;
    await page.getByTestId('audio-only-toggle').uncheck();
    const video = await waitFor(() => readPlayer(page), (v) => v.mode === 'video' && v.video.playing);
    expect(video.audio.playing).toBe(false);
    // The new hls.js starts on its window's own timeline where the sound was, in event time: the picture goes on.
    const seen = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.videoDecodedBytes > 0);
    expect(seen.seconds).toBeGreaterThan(1);
    expect(seen.videoDecodedBytes).toBeGreaterThan(0);
    const reloaded = videoPlaylists(requested.slice(backToVideo));
    expect(reloaded.windows.length).toBeGreaterThan(0);
    expect(reloaded.whole).toEqual([]);
    // The sound that played stays as the reserve, with what it buffered ahead, for the next switch.
    const kept = await waitFor(() => readPlayer(page), (v) => !v.audio.playing && holds(v.audio, v.video.currentTime, v.video.currentTime + 2));
    expect(kept.audio.buffered.length).toBeGreaterThan(0);
  });

  it('says the broadcast will resume, not that it failed, while the organizer is away, and plays again when they return', async () => {
    publisher.close();
    const away = await waitFor(() => readPlayer(page), (v) => v.paused, 30_000);
    expect(away.paused).toBe(true);
    expect(away.connection).toBe('connected');
    expect(await page.getByRole('alert').count()).toBe(0);
    // Let what was buffered play out, so what follows proves the stream itself came back.
    const drained = await waitFor(() => progressOver(page, 1_500), (p) => p.seconds < 0.1, 30_000);
    expect(drained.seconds).toBeLessThan(0.1);
    expect((await readPlayer(page)).paused).toBe(true);

    publisher = await test.publish(slug);
    const back = await waitFor(() => readPlayer(page), (v) => !v.paused, 30_000);
    expect(back.paused).toBe(false);
    const resumed = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0, 40_000);
    expect(resumed.seconds).toBeGreaterThan(1);
  });

  it('leaves the link to the speech: audio only turns the chat low-data, with every message one tap away', async () => {
    const shown = () => page.getByRole('log').getByRole('listitem').allTextContents();
    await page.getByTestId('audio-only-toggle').check();
    await expect.poll(() => page.getByTestId('chat-feed').getAttribute('data-in-effect'), { timeout: 10_000 }).toBe('low');
    // Appended together: the low-data sample takes the first of them; the organizer always gets through.
    await appendMessages(test.server.chat, slug, ['crowd one', 'crowd two', 'crowd three']);
    await appendMessages(test.server.chat, slug, ['Welcome from the stage'], 'organizer');
    await expect.poll(async () => (await shown()).some((text) => text.includes('Welcome from the stage')), { timeout: 10_000 }).toBe(true);
    expect((await shown()).filter((text) => text.includes('crowd'))).toEqual([expect.stringContaining('crowd one')]);

    await page.getByRole('button', { name: 'Show every message' }).click();
    await expect.poll(async () => (await shown()).filter((text) => text.includes('crowd')).length, { timeout: 10_000 }).toBe(3);
    expect(await page.getByTestId('chat-feed').getAttribute('data-in-effect')).toBe('full');
    await page.getByTestId('audio-only-toggle').uncheck();
  });

  it('goes on from the live window after a cut longer than the window holds, over the hole the skipped segments leave', async () => {
    await page.getByTestId('audio-only-toggle').check();
    await waitFor(() => readPlayer(page), (v) => v.mode === 'audio' && v.audio.playing);
    await waitFor(() => progressOver(page, 1_500), (p) => p.seconds > 1);
    // The whole link cut: the pipe's last window is older than the window holds when it comes back, so
    // the segments it wanted next are no longer listed and it goes on from the window's first.
    await page.route('**/hls/**', (route) => route.abort('connectionfailed'));
    const drained = await waitFor(() => progressOver(page, 1_500), (p) => p.seconds < 0.1, 40_000);
    expect(drained.seconds).toBeLessThan(0.1);
    const stalledAt = (await readPlayer(page)).audio.currentTime;
    await page.waitForTimeout(LIVE_WINDOW_SEGMENTS * SEGMENT_SECONDS * 1000 + 6_000);
    await page.unroute('**/hls/**');

    // Without crossing the hole, the element would wait at its edge for ever.
    const resumed = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1, 30_000);
    expect(resumed.seconds).toBeGreaterThan(1);
    expect((await readPlayer(page)).audio.currentTime).toBeGreaterThan(stalledAt + 2 * SEGMENT_SECONDS);
    await page.getByTestId('audio-only-toggle').uncheck();
  });

  it('says the event has ended and links to its recording', async () => {
    test.server.events.end(slug);
    const ended = await waitFor(() => readPlayer(page), (v) => v.connection === 'ended', 20_000);
    expect(ended.connection).toBe('ended');
    await expect.poll(() => page.getByRole('link', { name: 'Listen to the recording' }).getAttribute('href'), { timeout: 30_000 }).toBe(`/replay/${slug}`);
  });
});
