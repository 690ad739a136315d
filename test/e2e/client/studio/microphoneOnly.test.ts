import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileBroadcastEnd } from '../../../../shared/events';
import { videoRungs } from '../../../../shared/ladder';
import { recordingFiles, recordingUrl, runFiles } from '../../../../shared/recordingLayout';
import type { RunDescription } from '../../../../server/hls/PackagerRun';
import { createLogger } from '../../../../server/logger';
import { speechTrack } from '../../../../server/sfu/speechTrack';
import { inboundTotals, trackPeerConnections, waitFor } from '../../../helpers/browser';
import { waitForLadder } from '../../../helpers/ladder';
import { segmentUris } from '../../../helpers/playlists';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

// One WebRTC seat: the first attendee watches over WebRTC, the next is sent to HLS, on one server.
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '1' } });
let slug: string;
let studio: Page;
let webrtcViewer: Page;

const producerKinds = async () => (await test.server.rooms.getOrCreate(slug)).producers().map((p) => p.kind).sort();

/** What the newest packager run carried, once it is not the run before `after`. */
async function newestRun(after = -1): Promise<{ number: number; description: RunDescription }> {
  const dir = test.server.hls.recordingDir(slug);
  const number = await waitFor(async () => (await test.server.hls.packager(slug)!.composer.runs()).at(-1) ?? -1, (n) => n > after);
  const file = path.join(dir, recordingFiles.run(number), runFiles.description);
  const text = await waitFor(() => fs.readFile(file, 'utf8').catch(() => ''), (t) => t !== '');
  return { number, description: JSON.parse(text) as RunDescription };
}

beforeAll(async () => {
  const created = await createEvent(test, 'Microphone rally');
  slug = created.slug;
  studio = await test.browser.newPage();
  await studio.goto(`${test.url}/studio/${slug}`);
  await studio.getByTestId('organizer-key-input').fill(created.eventKey);
  await studio.getByTestId('organizer-key-save').click();
});

describe('going live with the microphone alone', () => {
  it('goes live with the camera turned off: sound only, and the ladder keeps its video rungs and poster, made from the title slide', async () => {
    // A speech from a phone in a pocket.
    const toggle = studio.getByTestId('camera-toggle');
    await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toBe('Turn the camera off');
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Turn the camera on');
    await studio.getByTestId('go-live').click();
    await expect.poll(() => studio.getByTestId('publish-state').textContent(), { timeout: 20_000 }).toBe('publishing');
    expect(await studio.getByTestId('camera-off-note').isVisible()).toBe(true);
    await expect.poll(producerKinds, { timeout: 10_000 }).toEqual(['audio']);
    await waitForLadder(test, slug, 2);
    expect((await newestRun()).description).toMatchObject({ hasVideo: true, still: true, hasAudio: true });
    const poster = await waitFor(() => fetch(`${test.url}${recordingUrl(slug, recordingFiles.poster)}`), (r) => r.ok);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    // A still costs a few kilobytes per two-second segment of the lowest rung, its sound included.
    const playlist = await (await fetch(`${test.url}${recordingUrl(slug, recordingFiles.rungPlaylist(videoRungs[0].name))}`)).text();
    const segment = await fetch(`${test.url}${recordingUrl(slug, segmentUris(playlist)[1]!)}`);
    expect((await segment.arrayBuffer()).byteLength).toBeLessThan(20_000);
  });

  it('plays the sound over the poster to a WebRTC viewer', async () => {
    webrtcViewer = await test.browser.newPage();
    await trackPeerConnections(webrtcViewer);
    await webrtcViewer.goto(`${test.url}/e/${slug}`);
    const view = await waitFor(() => readPlayer(webrtcViewer), (v) => v.path === 'webrtc' && v.mode === 'audio' && v.poster && v.audio.playing);
    expect(view).toMatchObject({ path: 'webrtc', mode: 'audio', poster: true });
    const totals = await waitFor(() => inboundTotals(webrtcViewer), (t) => t.audioBytes > 2_000);
    expect(totals.audioBytes).toBeGreaterThan(2_000);
    expect(totals.videoBytes).toBe(0);
  });

  it('plays the still as video, with the sound, to an HLS viewer', async () => {
    const viewer = await test.browser.newPage();
    await viewer.goto(`${test.url}/e/${slug}`);
    const view = await waitFor(() => readPlayer(viewer), (v) => v.path === 'hls' && v.mode === 'video' && v.video.playing, 30_000);
    expect(view).toMatchObject({ path: 'hls', mode: 'video' });
    const progress = await waitFor(() => progressOver(viewer, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0 && p.videoDecodedBytes > 0);
    expect(progress.audioDecodedBytes).toBeGreaterThan(0);
    expect(progress.videoDecodedBytes).toBeGreaterThan(0);
    await viewer.close();
  });

  it('shows the organizer’s own picture instead of the title slide once given in the studio, starting a new run with it', async () => {
    const before = await newestRun();
    const posterUrl = `${test.url}${recordingUrl(slug, recordingFiles.poster)}`;
    const oldPoster = Buffer.from(await (await fetch(posterUrl)).arrayBuffer());
    const picture = path.join(test.dataDir, 'stage.png');
    await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=400x300', '-frames:v', '1', picture]);
    await studio.getByTestId('picture-input').setInputFiles(picture);
    await studio.getByTestId('picture-save').click();
    await expect.poll(() => studio.getByTestId('picture-saved').count(), { timeout: 10_000 }).toBe(1);
    expect((await newestRun(before.number)).description).toMatchObject({ still: true });
    const newPoster = await waitFor(
      async () => Buffer.from(await (await fetch(posterUrl)).arrayBuffer()),
      (poster) => poster.length > 0 && !poster.equals(oldPoster),
    );
    expect(newPoster.equals(oldPoster)).toBe(false);
  });

  it('turns the camera on and off mid-event without ending it: viewers get the camera, then the still again', async () => {
    const stillRun = await newestRun();
    await studio.getByTestId('camera-toggle').click();
    await expect.poll(producerKinds, { timeout: 10_000 }).toEqual(['audio', 'video']);
    const cameraRun = await newestRun(stillRun.number);
    expect(cameraRun.description).toMatchObject({ hasVideo: true, hasAudio: true });
    expect(cameraRun.description.still).toBeUndefined();
    const seeing = await waitFor(() => readPlayer(webrtcViewer), (v) => v.mode === 'video', 20_000);
    expect(seeing.mode).toBe('video');
    const frames = await waitFor(() => inboundTotals(webrtcViewer), (t) => t.videoFramesDecoded > 10, 20_000);
    expect(frames.videoFramesDecoded).toBeGreaterThan(10);

    await studio.getByTestId('camera-toggle').click();
    await expect.poll(producerKinds, { timeout: 10_000 }).toEqual(['audio']);
    expect((await newestRun(cameraRun.number)).description).toMatchObject({ still: true });
    const back = await waitFor(() => readPlayer(webrtcViewer), (v) => v.mode === 'audio' && v.poster, 20_000);
    expect(back).toMatchObject({ mode: 'audio', poster: true });
    expect(test.server.events.get(slug).status).toBe('live');
    expect(await studio.getByTestId('publish-state').textContent()).toBe('publishing');
  });

  it('goes on to a short recording that holds the “right back” slate when it ends, the studio saying so, then back to the microphone', async () => {
    expect(await studio.getByTestId('file-broadcast-at-end').inputValue()).toBe('hold');
    const state = await broadcastClip('hold');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 20_000 }).toBe('holding');
    expect(await state.textContent()).toContain('We will be right back');
    // The slate is a picture: the WebRTC viewer sees it as video.
    expect((await waitFor(() => readPlayer(webrtcViewer), (v) => v.mode === 'video', 20_000)).mode).toBe('video');

    await backToMicrophone(state);
  });

  it('plays the recording again from the start when it ends, with “loop” chosen', async () => {
    const state = await broadcastClip('loop');
    // Well past the clip's end, it still plays and the viewer still hears it.
    await new Promise((resolve) => setTimeout(resolve, (CLIP_SECONDS + 2) * 1000));
    const before = await inboundTotals(webrtcViewer);
    const after = await waitFor(() => inboundTotals(webrtcViewer), (t) => t.audioBytes > before.audioBytes + 1000, 10_000);
    expect(after.audioBytes).toBeGreaterThan(before.audioBytes + 1000);
    expect(await state.getAttribute('data-state')).toBe('playing');
    await backToMicrophone(state);
  });

  // Last: the event is over after it.
  it('ends the event when the recording ends, with “end” chosen: the studio and the viewer are told', async () => {
    await broadcastClip('end');
    await expect.poll(() => studio.getByTestId('event-status').textContent(), { timeout: 20_000 }).toBe('ended');
    expect(test.server.events.get(slug).status).toBe('ended');
    await expect.poll(() => webrtcViewer.getByTestId('connection-state').getAttribute('data-state')).toBe('ended');
  });
});

const CLIP_SECONDS = 2;

/** Broadcasts a short spoken clip from the studio with the given end, once it plays. */
async function broadcastClip(atEnd: FileBroadcastEnd): Promise<Locator> {
  const speech = await speechTrack(createLogger('silent'));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-mic-'));
  const clip = path.join(dir, 'words.m4a');
  const source = speech ? ['-i', speech] : ['-f', 'lavfi', '-i', 'sine=frequency=300'];
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...source, '-t', String(CLIP_SECONDS), '-c:a', 'aac', clip]);
  await studio.getByTestId('file-broadcast-media').setInputFiles(clip);
  await studio.getByTestId('file-broadcast-at-end').selectOption(atEnd);
  await studio.getByTestId('file-broadcast-start').click();
  const state = studio.getByTestId('file-broadcast-state');
  await expect.poll(() => state.getAttribute('data-state'), { timeout: 20_000 }).toBe('playing');
  // The upload was copied by the server: the clip's directory is the test's to remove.
  await fs.rm(dir, { recursive: true, force: true });
  return state;
}

async function backToMicrophone(state: Locator): Promise<void> {
  await studio.getByText('Stop the recording and use the camera').click();
  await expect.poll(() => studio.getByTestId('publish-state').textContent(), { timeout: 20_000 }).toBe('publishing');
  await expect.poll(producerKinds, { timeout: 10_000 }).toEqual(['audio']);
  expect(await state.count()).toBe(0);
}

