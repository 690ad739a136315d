import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFiles } from '../../../../shared/recordingLayout';
import type { FileBroadcastStatus } from '../../../../shared/events';
import { createLogger } from '../../../../server/logger';
import type { UploadedFiles } from '../../../../server/sfu/FileBroadcaster';
import { speechTrack } from '../../../../server/sfu/speechTrack';
import { waitFor } from '../../../helpers/browser';
import { readRecordingFile, segmentUris } from '../../../helpers/playlists';
import { SignallingClient } from '../../../helpers/SignallingClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

const run = promisify(execFile);
let test: TestServer;
let fixtures: string;

/** Real media made by ffmpeg: what an organizer would upload. */
async function makeFixtures(): Promise<void> {
  fixtures = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-uploads-'));
  const ff = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  await ff('-f', 'lavfi', '-i', 'sine=frequency=300:duration=8', '-c:a', 'aac', path.join(fixtures, 'speech.m4a'));
  // A few spoken words: what the file-end choices are tried with (a tone where espeak-ng is missing).
  const speech = await speechTrack(createLogger('silent'));
  const shortSource = speech ? ['-i', speech] : ['-f', 'lavfi', '-i', 'sine=frequency=300'];
  await ff(...shortSource, '-t', '1.5', '-c:a', 'aac', path.join(fixtures, 'short.m4a'));
  await ff('-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15:duration=6', '-f', 'lavfi', '-i', 'sine=duration=6',
    '-c:v', 'libx264', '-crf', '35', '-c:a', 'aac', '-shortest', path.join(fixtures, 'speech.mp4'));
  await ff('-f', 'lavfi', '-i', 'color=c=red:s=400x300', '-frames:v', '1', path.join(fixtures, 'stage.png'));
  await ff('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', path.join(fixtures, 'silent.mp4'));
  await fs.writeFile(path.join(fixtures, 'notes.txt'), 'not media at all');
}

async function upload(slug: string, key: string, files: Record<string, string>, query = ''): Promise<Response> {
  const form = new FormData();
  for (const [field, name] of Object.entries(files)) {
    form.append(field, new Blob([await fs.readFile(path.join(fixtures, name))]), name);
  }
  return fetch(`${test.url}/api/events/${slug}/file-broadcast${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
}

/** A fixture placed where an upload of it would be, for starting the broadcaster directly. */
async function uploaded(slug: string, name: string): Promise<UploadedFiles> {
  const dir = path.join(test.dataDir, 'uploads', slug, Math.random().toString(16).slice(2));
  await fs.mkdir(dir, { recursive: true });
  await fs.copyFile(path.join(fixtures, name), path.join(dir, 'media'));
  return { dir, media: path.join(dir, 'media'), image: undefined };
}

/** The event's organizer on `/media`, keeping every file-broadcast change it is told of. */
async function organizerWatching(slug: string, key: string): Promise<SignallingClient & { changes: { fileBroadcast: FileBroadcastStatus | null }[] }> {
  const studio = Object.assign(await SignallingClient.connect(test.url), { changes: [] as { fileBroadcast: FileBroadcastStatus | null }[] });
  await studio.ok('join', { slug, key });
  studio.socket.on('fileBroadcastChanged', (change: { fileBroadcast: FileBroadcastStatus | null }) => studio.changes.push(change));
  return studio;
}

const uploadsOf = (slug: string) => fs.readdir(path.join(test.dataDir, 'uploads', slug)).catch(() => []);

const audioSegments = async (slug: string) =>
  segmentUris(await readRecordingFile(test.server.hls.recordingDir(slug), recordingFiles.audioPlaylist)).length;

beforeAll(async () => {
  await makeFixtures();
  test = await startTestServer({ UPLOAD_MAX_MB: '1', UPLOAD_MAX_MINUTES: '0.15' });
});
afterAll(async () => {
  await test.close();
});

describe('going live from a prepared file', () => {
  it('plays an audio clip over a still image into the SFU and the HLS ladder', async () => {
    const { slug, eventKey } = await createEvent(test, 'Speech from a file');
    const response = await upload(slug, eventKey, { media: 'speech.m4a', image: 'stage.png' });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ durationSeconds: 8, hasVideo: true });
    expect(test.server.events.get(slug).status).toBe('live');
    const room = await test.server.rooms.getOrCreate(slug);
    expect(room.producers().map((p) => p.kind).sort()).toEqual(['audio', 'video']);
    expect(await waitFor(() => audioSegments(slug), (n) => n >= 2, 30_000)).toBeGreaterThanOrEqual(2);
    const master = await fs.readFile(path.join(test.server.hls.recordingDir(slug), recordingFiles.master), 'utf8');
    expect(master).toContain('720p.m3u8');
  });

  it('plays a video file as it is, keeps the camera out while it runs, and stops when asked', async () => {
    const { slug, eventKey } = await createEvent(test, 'Video from a file');
    const response = await upload(slug, eventKey, { media: 'speech.mp4' });
    expect(response.status).toBe(201);
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(true);
    const studio = await SignallingClient.connect(test.url);
    try {
      expect(await studio.ok('join', { slug, key: eventKey })).toMatchObject({ fileBroadcast: { state: 'playing', atEnd: 'hold' } });
      const send = await studio.ok<{ id: string }>('createTransport', { direction: 'send' });
      expect(
        await studio.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: { codecs: [] } }),
      ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    } finally {
      studio.close();
    }
    const stop = await fetch(`${test.url}/api/events/${slug}/file-broadcast`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${eventKey}` },
    });
    expect(stop.status).toBe(204);
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);
    await expect.poll(async () => (await test.server.rooms.getOrCreate(slug)).producers().length).toBe(0);
    expect(await uploadsOf(slug)).toEqual([]);
  });

  it('holds a "we will be right back" slate over silence when the file ends, telling its organizer, until the organizer stops it', async () => {
    const { slug, eventKey } = await createEvent(test, 'Hold after the file');
    const studio = await organizerWatching(slug, eventKey);
    try {
      expect((await upload(slug, eventKey, { media: 'short.m4a' }, '?atEnd=hold')).status).toBe(201);
      const first = await test.server.rooms.getOrCreate(slug).then((room) => room.producers());
      await expect.poll(() => studio.changes, { timeout: 15_000 }).toContainEqual({ fileBroadcast: { state: 'holding', atEnd: 'hold' } });
      expect(studio.changes[0]).toEqual({ fileBroadcast: { state: 'playing', atEnd: 'hold' } });
      // The slate is new media in place of the file's, and the event goes on.
      const room = await test.server.rooms.getOrCreate(slug);
      expect(room.producers().map((p) => p.kind).sort()).toEqual(['audio', 'video']);
      expect(room.producers().map((p) => p.producerId)).not.toEqual(expect.arrayContaining(first.map((p) => p.producerId)));
      expect(test.server.events.get(slug).status).toBe('live');
      expect(test.server.fileBroadcasts.status(slug)).toEqual({ state: 'holding', atEnd: 'hold' });
      await expect.poll(() => uploadsOf(slug)).toEqual([]);
      const stop = await fetch(`${test.url}/api/events/${slug}/file-broadcast`, { method: 'DELETE', headers: { authorization: `Bearer ${eventKey}` } });
      expect(stop.status).toBe(204);
      // The organizer's notice travels on its socket, and may arrive just after the status changed here.
      await expect.poll(() => studio.changes.at(-1)).toEqual({ fileBroadcast: null });
      await expect.poll(() => room.producers().length).toBe(0);
    } finally {
      studio.close();
    }
  });

  it('ends the event when the file ends, if its organizer chose so', async () => {
    const { slug, eventKey } = await createEvent(test, 'End after the file');
    const studio = await organizerWatching(slug, eventKey);
    try {
      const live = studio.next<{ status: string }>('eventUpdated', 20_000);
      expect((await upload(slug, eventKey, { media: 'short.m4a' }, '?atEnd=end')).status).toBe(201);
      // The first update is the event going live; the file's end brings the next.
      expect((await live).status).toBe('live');
      await expect.poll(() => test.server.events.get(slug).status, { timeout: 15_000 }).toBe('ended');
      // The organizer's notice travels on its socket, and may arrive just after the status changed here.
      await expect.poll(() => studio.changes.at(-1)).toEqual({ fileBroadcast: null });
      expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);
      await expect.poll(() => uploadsOf(slug)).toEqual([]);
    } finally {
      studio.close();
    }
  });

  it('plays the file again from the start, on the same producers, when its organizer chose to loop it', async () => {
    const { slug, eventKey } = await createEvent(test, 'Loop the file');
    expect((await upload(slug, eventKey, { media: 'short.m4a' }, '?atEnd=loop')).status).toBe(201);
    const room = await test.server.rooms.getOrCreate(slug);
    const producers = room.producers();
    const bytesSent = async () => (await room.ingestStats()).find((s) => s.kind === 'audio')?.bitrateBps ?? 0;
    // Three times the file's length later, it is still playing, and still sending sound.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(test.server.fileBroadcasts.status(slug)).toEqual({ state: 'playing', atEnd: 'loop' });
    expect(room.producers()).toEqual(producers);
    expect(await bytesSent()).toBeGreaterThan(0);
    await fetch(`${test.url}/api/events/${slug}/file-broadcast`, { method: 'DELETE', headers: { authorization: `Bearer ${eventKey}` } });
  });

  it('refuses an end choice it does not know before reading the upload, and changes nothing', async () => {
    const { slug, eventKey } = await createEvent(test, 'Unknown end');
    const response = await upload(slug, eventKey, { media: 'short.m4a' }, '?atEnd=explode');
    expect(response.status).toBe(400);
    expect(test.server.events.get(slug).status).toBe('scheduled');
    expect(await uploadsOf(slug)).toEqual([]);
  });

  it('puts the event live only once ffmpeg runs, and undoes the start when the event ends meanwhile', async () => {
    const { slug } = await createEvent(test, 'Ended while starting');
    const statusWhenPublished: string[] = [];
    const endOnPublish = (published: string) => {
      if (published !== slug) return;
      statusWhenPublished.push(test.server.events.get(slug).status);
      test.server.events.end(slug);
    };
    test.server.rooms.on('producerAdded', endOnPublish);
    try {
      const files = await uploaded(slug, 'short.m4a');
      await expect(test.server.fileBroadcasts.start(slug, files, 'hold')).rejects.toMatchObject({ code: 'INVALID_STATE' });
      // ffmpeg was running and its media published while the event was not yet live.
      expect(statusWhenPublished[0]).toBe('scheduled');
      expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);
      expect(test.server.rooms.get(slug)?.producers() ?? []).toEqual([]);
      expect(await uploadsOf(slug)).toEqual([]);
    } finally {
      test.server.rooms.off('producerAdded', endOnPublish);
    }
    // An ended event is refused before a room is opened for it.
    await expect(test.server.fileBroadcasts.start(slug, await uploaded(slug, 'short.m4a'), 'hold')).rejects.toThrow(/has ended/);
    expect(test.server.events.get(slug).status).toBe('ended');
  });

  it('undoes a start its organizer stopped before ffmpeg was up', async () => {
    const { slug } = await createEvent(test, 'Stopped while starting');
    const starting = test.server.fileBroadcasts.start(slug, await uploaded(slug, 'short.m4a'), 'hold');
    await test.server.fileBroadcasts.stop(slug);
    await expect(starting).rejects.toThrow(/stopped while it was starting/);
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);
    expect(test.server.events.get(slug).status).toBe('scheduled');
    expect(test.server.rooms.get(slug)?.producers() ?? []).toEqual([]);
    expect(await uploadsOf(slug)).toEqual([]);
  });

  it('refuses a second start for an event while one is under way, leaving the first to finish', async () => {
    const { slug, eventKey } = await createEvent(test, 'Two starts');
    const [first, second] = await Promise.allSettled([
      test.server.fileBroadcasts.start(slug, await uploaded(slug, 'speech.m4a'), 'hold'),
      test.server.fileBroadcasts.start(slug, await uploaded(slug, 'speech.m4a'), 'hold'),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { durationSeconds: 8 } });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_STATE' } });
    expect(test.server.events.get(slug).status).toBe('live');
    expect(test.server.rooms.get(slug)?.producers()).toHaveLength(2);
    expect(await uploadsOf(slug)).toHaveLength(1);
    await fetch(`${test.url}/api/events/${slug}/file-broadcast`, { method: 'DELETE', headers: { authorization: `Bearer ${eventKey}` } });
  });

  it('plays an audio clip over a title slate when no picture is given', async () => {
    const { slug, eventKey } = await createEvent(test, "Speaker's: 100% \\ voice");
    const response = await upload(slug, eventKey, { media: 'speech.m4a' });
    expect(response.status).toBe(201);
    const room = await test.server.rooms.getOrCreate(slug);
    expect(room.producers().map((p) => p.kind).sort()).toEqual(['audio', 'video']);
    expect(await waitFor(() => audioSegments(slug), (n) => n >= 1, 30_000)).toBeGreaterThanOrEqual(1);
  });

  it('plays on in the room that replaced one whose mediasoup worker died', async () => {
    const { slug, eventKey } = await createEvent(test, 'Speech through a worker crash');
    expect((await upload(slug, eventKey, { media: 'speech.m4a' })).status).toBe(201);
    const lost = await test.server.rooms.getOrCreate(slug);
    expect(lost.producers()).toHaveLength(2);
    const recreated = new Promise((resolve) => test.server.rooms.once('roomRecreated', resolve));
    const [pid] = test.server.workers.pids();
    process.kill(pid!, 'SIGKILL');
    expect(await recreated).not.toBe(lost);
    const room = await test.server.rooms.getOrCreate(slug);
    await expect.poll(() => room.producers().map((p) => p.kind).sort(), { timeout: 10_000 }).toEqual(['audio', 'video']);
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(true);
    await fetch(`${test.url}/api/events/${slug}/file-broadcast`, { method: 'DELETE', headers: { authorization: `Bearer ${eventKey}` } });
  });

  it('refuses files that are not a recording with sound, with a reason', async () => {
    const { slug, eventKey } = await createEvent(test, 'Bad files');
    const cases: [Record<string, string>, RegExp][] = [
      [{ media: 'notes.txt' }, /not an audio or video recording/],
      [{ media: 'stage.png' }, /not an audio or video recording/],
      [{ media: 'silent.mp4' }, /no sound/],
      [{ media: 'speech.m4a', image: 'notes.txt' }, /not an image/],
      [{ image: 'stage.png' }, /needs a "media" file/],
      [{ media: 'speech.m4a', extra: 'stage.png' }, /unexpected form field/],
    ];
    for (const [files, reason] of cases) {
      const response = await upload(slug, eventKey, files);
      expect(response.status, JSON.stringify(files)).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(reason);
    }
    expect(test.server.events.get(slug).status).toBe('scheduled');
    expect(await fs.readdir(path.join(test.dataDir, 'uploads', slug))).toEqual([]);
  });

  it('refuses files over the size or duration limit', async () => {
    const { slug, eventKey } = await createEvent(test, 'Big files');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'anoisesrc=duration=20:sample_rate=48000',
      '-c:a', 'pcm_s16le', path.join(fixtures, 'long.wav')]);
    const tooBig = await upload(slug, eventKey, { media: 'long.wav' });
    expect(tooBig.status).toBe(413);
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=10', '-c:a', 'aac', '-b:a', '16k',
      path.join(fixtures, 'ten-seconds.m4a')]);
    const tooLong = await upload(slug, eventKey, { media: 'ten-seconds.m4a' });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { message: string } }).error.message).toMatch(/longer than/);
  });

  it('lets only the event’s organizer upload', async () => {
    const { slug } = await createEvent(test, 'Guarded');
    const other = await createEvent(test, 'Other');
    expect((await upload(slug, other.eventKey, { media: 'speech.m4a' })).status).toBe(401);
    expect((await upload(slug, 'z'.repeat(43), { media: 'speech.m4a' })).status).toBe(401);
    expect((await upload('no-such-event', other.eventKey, { media: 'speech.m4a' })).status).toBe(404);
    expect(test.server.events.get(slug).status).toBe('scheduled');
  });
});

describe('the picture shown while the organizer’s camera is off', () => {
  const putPicture = async (slug: string, key: string | undefined, name: string, type = 'image/png') =>
    fetch(`${test.url}/api/events/${slug}/picture`, {
      method: 'PUT',
      headers: { 'content-type': type, ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: await fs.readFile(path.join(fixtures, name)),
    });
  const size = async (file: string) =>
    (await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', file])).stdout.trim();

  it('is a slate with the event’s title until the organizer gives one, which is re-encoded to the top rung’s size', async () => {
    const { slug, eventKey } = await createEvent(test, 'Pictured rally');
    const slate = await test.server.stills.picture(slug);
    expect(path.basename(slate)).toBe('title.png');
    expect(await size(slate)).toBe('png,1280,720');
    expect((await putPicture(slug, eventKey, 'stage.png')).status).toBe(204);
    const picture = await test.server.stills.picture(slug);
    expect(path.basename(picture)).toBe('picture.png');
    // The 400×300 upload, letterboxed into 16:9: never read again as it was uploaded.
    expect(await size(picture)).toBe('png,1280,720');
    expect(await uploadsOf(slug)).toEqual([]);
  });

  it('refuses what is not a picture, and anyone but the organizer, keeping the picture in use', async () => {
    const { slug, eventKey } = await createEvent(test, 'Picture refusals');
    expect((await putPicture(slug, eventKey, 'stage.png')).status).toBe(204);
    const before = await fs.readFile(await test.server.stills.picture(slug));
    const notAPicture = await putPicture(slug, eventKey, 'notes.txt');
    expect(notAPicture.status).toBe(400);
    expect(await notAPicture.json()).toMatchObject({ error: { message: expect.stringContaining('not an image') } });
    expect((await putPicture(slug, eventKey, 'stage.png', 'text/plain')).status).toBe(400);
    expect((await putPicture(slug, undefined, 'stage.png')).status).toBe(401);
    expect((await putPicture(slug, 'x'.repeat(43), 'stage.png')).status).toBe(401);
    expect(await fs.readFile(await test.server.stills.picture(slug))).toEqual(before);
    expect(await uploadsOf(slug)).toEqual([]);
  });
});

