import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFiles } from '../../../../shared/recordingLayout';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

const settings = { mirrors: [{ id: 'eu-1', baseUrl: 'http://mirror.example:8080' }], priority: ['origin', 'eu-1'] };

describe('an event\'s mirrors over REST', () => {
  let test: TestServer;
  let slug: string;
  let eventKey: string;

  beforeAll(async () => {
    test = await startTestServer();
    ({ slug, eventKey } = await createEvent(test));
    // A master as the composer writes it, so that serving it steered is seen without a broadcast.
    const dir = path.join(test.server.hls.recordingsDir, slug);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, recordingFiles.liveMaster), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2"\naudio.live.m3u8\n');
  });
  afterAll(() => test.close());

  const put = (body: unknown, key: string) =>
    fetch(`${test.url}/api/events/${slug}/mirrors`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
  const steering = async () => (await fetch(`${test.url}/api/events/${slug}/steering`)).json();

  it('serves a steering manifest of the origin alone before any mirror is set', async () => {
    expect(await steering()).toMatchObject({ VERSION: 1, 'PATHWAY-PRIORITY': ['origin'], 'JALSA-PATHWAYS': { origin: '' } });
    const master = await (await fetch(`${test.url}/hls/${slug}/${recordingFiles.liveMaster}`)).text();
    expect(master).not.toContain('CONTENT-STEERING');
  });

  it('refuses to change the mirrors without the event\'s key, and invalid settings, changing nothing', async () => {
    expect((await put(settings, 'x'.repeat(43))).status).toBe(401);
    const bad = await put({ mirrors: [{ id: 'eu-1', baseUrl: 'ftp://x' }], priority: ['origin'] }, eventKey);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('http(s) URL');
    expect((await steering())['PATHWAY-PRIORITY']).toEqual(['origin']);
  });

  it('takes the organizer\'s mirrors: the master lists each variant per pathway, the steering manifest where they are', async () => {
    expect((await put(settings, eventKey)).status).toBe(200);
    const read = await fetch(`${test.url}/api/events/${slug}/mirrors`, { headers: { authorization: `Bearer ${eventKey}` } });
    expect(await read.json()).toEqual({ settings });
    const master = await (await fetch(`${test.url}/hls/${slug}/${recordingFiles.liveMaster}`)).text();
    expect(master).toContain(`#EXT-X-CONTENT-STEERING:SERVER-URI="/api/events/${slug}/steering",PATHWAY-ID="origin"`);
    expect(master).toContain(`http://mirror.example:8080/hls/${slug}/audio.live.m3u8`);
    expect(await steering()).toMatchObject({ 'PATHWAY-PRIORITY': ['origin', 'eu-1'], 'JALSA-PATHWAYS': { 'eu-1': 'http://mirror.example:8080' } });
  });

  it('moves every player to the mirror when the organizer puts it first', async () => {
    expect((await put({ ...settings, priority: ['eu-1', 'origin'] }, eventKey)).status).toBe(200);
    expect((await steering())['PATHWAY-PRIORITY']).toEqual(['eu-1', 'origin']);
  });
});
