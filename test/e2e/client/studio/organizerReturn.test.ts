import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../../client/src/i18n/messages';
import { videoRungs } from '../../../../shared/ladder';
import { ORGANIZER_AWAY_CLASS, recordingFiles } from '../../../../shared/recordingLayout';
import { inboundTotals, trackPeerConnections, waitFor } from '../../../helpers/browser';
import { FlakyProxy } from '../../../helpers/FlakyProxy';
import { waitForLadder } from '../../../helpers/ladder';
import { readRecordingFile, segmentUris } from '../../../helpers/playlists';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';
import { playingMedia, progressOver, readPlayer } from '../../../helpers/watchPage';

// One WebRTC seat: the first viewer watches over WebRTC, the second over HLS.
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '1' } });
const rung = videoRungs[0].name;
let slug: string;
/** The organizer's line to the server: the studio's page, signalling and chat go through it. */
let line: FlakyProxy;
let studio: Page;
let webrtcViewer: Page;
let hlsViewer: Page;

const producerKinds = async () => (await test.server.rooms.getOrCreate(slug)).producers().map((p) => p.kind).sort();

/** Every segment file of the first run of the lowest rung, with a hash of its bytes. */
async function firstRunSegments(): Promise<Map<string, string>> {
  const dir = path.join(test.server.hls.recordingDir(slug), recordingFiles.runRung(0, rung));
  const names = (await fs.readdir(dir)).filter((name) => name.endsWith('.m4s')).sort();
  const hashes = await Promise.all(names.map(async (name) => createHash('sha256').update(await fs.readFile(path.join(dir, name))).digest('hex')));
  return new Map(names.map((name, i) => [name, hashes[i]!]));
}

beforeAll(async () => {
  const created = await createEvent(test, 'Rally on a bad line');
  slug = created.slug;
  line = test.own(await FlakyProxy.start(test.server.port));
  studio = await test.browser.newPage();
  await studio.goto(`${line.url}/studio/${slug}`);
  await studio.getByTestId('organizer-key-input').fill(created.eventKey);
  await studio.getByTestId('organizer-key-save').click();
});

describe('the organizer’s connection drops and comes back', () => {
  it('keeps the event live while the organizer is away, viewers told it is reconnecting, and resumes both paths when the organizer returns, the recording marking the gap and keeping every segment', async () => {
    await expect.poll(() => studio.getByTestId('camera-toggle').textContent(), { timeout: 10_000 }).toBe('Turn the camera off');
    await studio.getByTestId('go-live').click();
    await expect.poll(() => studio.getByTestId('publish-state').textContent(), { timeout: 20_000 }).toBe('publishing');
    await expect.poll(producerKinds, { timeout: 10_000 }).toEqual(['audio', 'video']);
    await waitForLadder(test, slug, 2);
    webrtcViewer = await test.browser.newPage();
    await trackPeerConnections(webrtcViewer);
    await webrtcViewer.goto(`${test.url}/e/${slug}`);
    await waitFor(() => readPlayer(webrtcViewer), (v) => v.path === 'webrtc' && v.audio.playing, 30_000);
    hlsViewer = await test.browser.newPage();
    await hlsViewer.goto(`${test.url}/e/${slug}`);
    await waitFor(() => readPlayer(hlsViewer), (v) => v.path === 'hls' && playingMedia(v).playing, 30_000);

    const before = await firstRunSegments();
    expect(before.size).toBeGreaterThan(0);

    line.cut();
    await expect.poll(() => test.server.organizerAbsence.isAway(slug)).toBe(true);
    expect(test.server.events.get(slug).status).toBe('live');
    for (const viewer of [webrtcViewer, hlsViewer]) {
      await expect.poll(async () => (await readPlayer(viewer)).paused).toBe(true);
      expect(await viewer.getByTestId('watch-notice').textContent()).toBe(en.broadcastPaused);
    }
    expect(await producerKinds()).toEqual([]);

    line.restore();
    // Socket.io's own reconnection brings the studio back: it joins again and publishes anew.
    await expect.poll(producerKinds, { timeout: 30_000 }).toEqual(['audio', 'video']);
    expect(test.server.organizerAbsence.isAway(slug)).toBe(false);
    expect(test.server.events.get(slug).status).toBe('live');
    await expect.poll(() => studio.getByTestId('publish-state').textContent()).toBe('publishing');

    // WebRTC: new producers, new consumers, frames decoded again.
    await expect.poll(async () => (await readPlayer(webrtcViewer)).paused, { timeout: 20_000 }).toBe(false);
    const framesBefore = (await inboundTotals(webrtcViewer)).videoFramesDecoded;
    const frames = await waitFor(() => inboundTotals(webrtcViewer), (t) => t.videoFramesDecoded > framesBefore + 10, 20_000);
    expect(frames.videoFramesDecoded).toBeGreaterThan(framesBefore + 10);
    // HLS: the packager's next run follows the first, and the player goes on over the discontinuity.
    await expect.poll(async () => (await readPlayer(hlsViewer)).paused, { timeout: 30_000 }).toBe(false);
    const progress = await waitFor(() => progressOver(hlsViewer, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0, 30_000);
    expect(progress.seconds).toBeGreaterThan(1);

    // The recording: the gap is marked where the playlist resumes, and nothing written before it changed.
    const dir = test.server.hls.recordingDir(slug);
    const playlist = await waitFor(
      () => readRecordingFile(dir, recordingFiles.rungPlaylist(rung)),
      (text) => text.includes(ORGANIZER_AWAY_CLASS) && segmentUris(text).some((uri) => !uri.startsWith(recordingFiles.runRung(0, rung))),
    );
    const marker = playlist.split('\n').findIndex((l) => l.startsWith('#EXT-X-DATERANGE:') && l.includes(ORGANIZER_AWAY_CLASS));
    expect(marker).toBeGreaterThan(0);
    expect(playlist.split('\n')[marker + 1]).toBe('#EXT-X-DISCONTINUITY');
    const after = await firstRunSegments();
    for (const [name, hash] of before) expect(after.get(name)).toBe(hash);
    const firstRunListed = segmentUris(playlist).filter((uri) => uri.startsWith(`${recordingFiles.runRung(0, rung)}/`));
    expect(firstRunListed.slice(0, before.size).map((uri) => path.basename(uri))).toEqual([...before.keys()]);
  }, 180_000);
});
