import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawUpload, uploadedFiles, type UploadOutcome } from '../helpers/rawUpload';
import { createEvent, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Uploads performed the way a hostile or unlucky client would against the real server: abandoned
 * mid-body, dripped in slowly, stalled, many at once, two starts at once, and playlists that would
 * make ffmpeg read other files on the server's disk.
 */
const run = promisify(execFile);
const IDLE_MS = 1_000;
const REQUEST_DEADLINE_MS = 1_500;
let test: TestServer;
let fixtures: string;
let speech: Buffer;

beforeAll(async () => {
  fixtures = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-upload-attacks-'));
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=4',
    '-c:a', 'aac', '-b:a', '96k', path.join(fixtures, 'speech.m4a')]);
  await fs.copyFile(path.join(fixtures, 'speech.m4a'), path.join(fixtures, 'secret.m4a'));
  speech = await fs.readFile(path.join(fixtures, 'speech.m4a'));
  test = await startTestServer({
    UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_DEADLINE_MS),
    UPLOAD_CONCURRENCY: '2',
  });
});

afterAll(async () => {
  await test?.close();
  await fs.rm(fixtures, { recursive: true, force: true });
});

const uploadUrl = (slug: string) => `${test.url}/api/events/${slug}/file-broadcast`;

const filesOf = (slug: string) => uploadedFiles(test.dataDir, slug);

/** Descriptors this (the server's) process holds open on anything under the uploads directory. */
async function openUploadDescriptors(): Promise<number> {
  const uploads = path.join(test.dataDir, 'uploads') + path.sep;
  let open = 0;
  for (const fd of await fs.readdir('/proc/self/fd')) {
    const target = await fs.readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(uploads)) open += 1;
  }
  return open;
}

/** Sends part of the body and waits until the server has written some of it to disk. */
async function partlyUploaded(slug: string, key: string): Promise<RawUpload> {
  const upload = new RawUpload(uploadUrl(slug), key, { media: speech });
  upload.send(Math.floor(upload.size / 2));
  await expect.poll(() => filesOf(slug), { timeout: 5_000, interval: 50 }).toEqual(['media']);
  return upload;
}

async function stopBroadcast(slug: string, key: string): Promise<void> {
  const response = await fetch(uploadUrl(slug), { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(204);
}

function expectError(outcome: UploadOutcome, status: number, code: string): string {
  expect(outcome).toMatchObject({ status, body: { error: { code } } });
  return (outcome as { body: { error: { message: string } } }).body.error.message;
}

describe('an upload that does not finish', () => {
  it('is cleaned up when the client hangs up mid-body: no partial file, no open descriptor, the event unchanged', async () => {
    const { slug, eventKey } = await createEvent(test, 'Abandoned upload');
    const upload = await partlyUploaded(slug, eventKey);
    expect(await openUploadDescriptors()).toBeGreaterThan(0);

    upload.abort();
    await expect.poll(() => filesOf(slug), { timeout: 5_000, interval: 50 }).toEqual([]);
    await expect.poll(openUploadDescriptors, { timeout: 5_000, interval: 50 }).toBe(0);
    expect(test.server.events.get(slug).status).toBe('scheduled');
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);

    // The handler let go of the event: the organizer's next upload goes through.
    const retry = new RawUpload(uploadUrl(slug), eventKey, { media: speech });
    retry.finish();
    expect(await retry.outcome).toMatchObject({ status: 201 });
    await stopBroadcast(slug, eventKey);
  });

  it('is cut off with a clear answer when nothing arrives for the idle timeout, and leaves nothing behind', async () => {
    const { slug, eventKey } = await createEvent(test, 'Stalled upload');
    const upload = await partlyUploaded(slug, eventKey);
    const outcome = await upload.outcome;
    expect(expectError(outcome, 400, 'BAD_REQUEST')).toMatch(/stalled: nothing arrived for 1 s/);
    expect(await filesOf(slug)).toEqual([]);
    expect(await openUploadDescriptors()).toBe(0);
    expect(test.server.events.get(slug).status).toBe('scheduled');
  });

  it('is not cut off while it keeps sending, however long it takes, though other requests have a deadline', async () => {
    const { slug, eventKey } = await createEvent(test, 'Slow link upload');
    const upload = new RawUpload(uploadUrl(slug), eventKey, { media: speech });
    const started = Date.now();
    await upload.trickle(12, 250);
    expect(await upload.outcome).toMatchObject({ status: 201 });
    expect(Date.now() - started).toBeGreaterThan(2 * REQUEST_DEADLINE_MS);
    await stopBroadcast(slug, eventKey);

    // The same drip into any other route is cut at the request deadline.
    const drip = http.request(`${test.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${test.server.instanceKey}`, 'content-type': 'application/json', 'content-length': '200' },
    });
    const dripped = new Promise<string>((resolve) => {
      drip.once('response', (response) => resolve(`answered ${response.statusCode}`));
      drip.once('error', (error) => resolve(error.message));
    });
    const timer = setInterval(() => drip.write(' '), 250);
    try {
      expect(await dripped).toMatch(/socket hang up|ECONNRESET/);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('a refused upload', () => {
  it('is answered at once, and cannot keep its connection by dripping the rest of its body', async () => {
    const { slug } = await createEvent(test, 'Wrong key drip');
    const upload = new RawUpload(uploadUrl(slug), 'z'.repeat(43), { media: speech });
    upload.send(1000);
    expect(await upload.outcome).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    const started = Date.now();
    await upload.drip(200);
    // Cut at the request deadline, though a byte arrived every 200 ms (well within the idle timeout).
    expect(Date.now() - started).toBeLessThan(REQUEST_DEADLINE_MS + 2_000);
    expect(await filesOf(slug)).toEqual([]);
  });
});

describe('uploads at once', () => {
  it('takes one per event and a configured number in all; the rest are refused with a typed error', async () => {
    const a = await createEvent(test, 'Upload A');
    const b = await createEvent(test, 'Upload B');
    const c = await createEvent(test, 'Upload C');
    const first = await partlyUploaded(a.slug, a.eventKey);
    const second = await partlyUploaded(b.slug, b.eventKey);

    const sameEvent = new RawUpload(uploadUrl(a.slug), a.eventKey, { media: speech });
    sameEvent.finish();
    expect(expectError(await sameEvent.outcome, 409, 'INVALID_STATE')).toMatch(/already in progress/);
    const thirdEvent = new RawUpload(uploadUrl(c.slug), c.eventKey, { media: speech });
    thirdEvent.finish();
    expect(await thirdEvent.outcome).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE', reason: 'uploadsBusy' } } });
    expect(await filesOf(c.slug)).toEqual([]);

    // Slots come back when uploads end, however they end.
    first.abort();
    second.abort();
    await expect.poll(() => filesOf(a.slug), { timeout: 5_000, interval: 50 }).toEqual([]);
    await expect.poll(() => filesOf(b.slug), { timeout: 5_000, interval: 50 }).toEqual([]);
    const later = new RawUpload(uploadUrl(c.slug), c.eventKey, { media: speech });
    later.finish();
    expect(await later.outcome).toMatchObject({ status: 201 });
    await stopBroadcast(c.slug, c.eventKey);
  });

  it('lets one of two starts sent at once for the same event win; the other changes nothing', async () => {
    const { slug, eventKey } = await createEvent(test, 'Two starts');
    const uploads = [0, 1].map(() => new RawUpload(uploadUrl(slug), eventKey, { media: speech }));
    for (const upload of uploads) upload.finish();
    const outcomes = await Promise.all(uploads.map((upload) => upload.outcome));
    const statuses = outcomes.map((outcome) => ('status' in outcome ? outcome.status : 0)).sort();
    expect(statuses).toEqual([201, 409]);
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(true);
    expect(test.server.rooms.get(slug)?.producers().map((p) => p.kind).sort()).toEqual(['audio', 'video']);
    expect(await filesOf(slug)).toEqual(expect.arrayContaining(['media']));
    expect((await filesOf(slug)).filter((name) => name === 'media')).toHaveLength(1);
    await stopBroadcast(slug, eventKey);
    expect(await filesOf(slug)).toEqual([]);
  });
});

describe('playlists and other files that read further files', () => {
  const secret = () => path.join(fixtures, 'secret.m4a');
  const attacks: [string, () => string][] = [
    ['an HLS playlist naming a local file', () => `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:4,\n${secret()}\n#EXT-X-ENDLIST\n`],
    ['a concat list', () => `ffconcat version 1.0\nfile ${path.basename(secret())}\nfile ${secret()}\n`],
    ['a DASH manifest', () =>
      '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" ' +
      'profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="audio/mp4">' +
      `<Representation id="a" bandwidth="64000" codecs="mp4a.40.2"><BaseURL>file://${secret()}</BaseURL></Representation>` +
      '</AdaptationSet></Period></MPD>\n'],
  ];

  it('an HLS playlist really does pull in the secret file when ffprobe guesses the format itself', async () => {
    const playlist = path.join(fixtures, 'playlist');
    await fs.writeFile(playlist, attacks[0]![1]());
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name,duration', '-of', 'json', playlist]);
    expect(JSON.parse(stdout)).toMatchObject({ format: { format_name: 'hls', duration: expect.stringMatching(/^4\./) } });
  });

  it.each(attacks)('refuses %s as media, says why, and broadcasts nothing', async (_name, content) => {
    const { slug, eventKey } = await createEvent(test, 'Playlist attack');
    const upload = new RawUpload(uploadUrl(slug), eventKey, { media: Buffer.from(content()) });
    upload.finish();
    expect(expectError(await upload.outcome, 400, 'BAD_REQUEST')).toMatch(/playlist \((hls|concat|dash)\).*upload the recording itself/);
    expect(test.server.events.get(slug).status).toBe('scheduled');
    expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);
    expect(test.server.rooms.get(slug)?.producers() ?? []).toEqual([]);
    expect(await filesOf(slug)).toEqual([]);
  });

  it('refuses a playlist given as the still picture', async () => {
    const { slug, eventKey } = await createEvent(test, 'Picture attack');
    const upload = new RawUpload(uploadUrl(slug), eventKey, { media: speech, image: Buffer.from(attacks[0]![1]()) });
    upload.finish();
    expect(expectError(await upload.outcome, 400, 'BAD_REQUEST')).toMatch(/not an image/);
    expect(test.server.events.get(slug).status).toBe('scheduled');
  });
});

describe('uploads left behind', () => {
  it('are removed when the next server starts on the data directory, unless recently written', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-stale-uploads-'));
    const stale = path.join(dataDir, 'uploads', 'crashed-rally-0001', 'aaaa');
    const fresh = path.join(dataDir, 'uploads', 'other-rally-0002', 'bbbb');
    for (const dir of [stale, fresh]) {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'media'), speech.subarray(0, 1000));
    }
    const dayAgo = new Date(Date.now() - 24 * 3600_000);
    for (const file of [path.join(stale, 'media'), stale]) await fs.utimes(file, dayAgo, dayAgo);

    const next = await startTestServer({ DATA_DIR: dataDir, UPLOAD_IDLE_TIMEOUT_MS: '60000' });
    try {
      expect(await fs.readdir(path.join(dataDir, 'uploads'))).toEqual(['other-rally-0002']);
      expect(await fs.readdir(fresh)).toEqual(['media']);
    } finally {
      await next.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
