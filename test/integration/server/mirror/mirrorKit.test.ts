import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMirrorConfig } from '../../../../deploy/nginx/renderMirrorConfig';
import { cspHeaderValue, PAGE_CSP_DIRECTIVES } from '../../../../server/http/securityHeaders';
import { recordingFiles } from '../../../../shared/recordingLayout';
import { pathwayUrl } from '../../../../shared/steering';
import { MirrorPusher } from '../../../../server/mirror/MirrorPusher';
import { DirectoryTarget, HttpPutTarget } from '../../../../server/mirror/MirrorTarget';
import { FakeRecording } from '../../../helpers/fakeRecording';
import { fakeBuiltClient } from '../../../helpers/mirror';
import { publicEvent } from '../../../helpers/publicEvent';
import { NginxProcess } from '../../../helpers/NginxProcess';

const SLUG = 'rally-1';

/** Debian's nginx with the shipped deploy/nginx/mirror.conf: what a supporter runs as a mirror. */
describe('the mirror kit into a directory and through nginx WebDAV PUT', () => {
  let root: string;
  let nginx: NginxProcess;
  let recording: FakeRecording;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-mirror-root-'));
    nginx = await NginxProcess.serve((listen) => `${renderMirrorConfig({ listen, root, putFrom: '127.0.0.1' })}`);
    recording = await FakeRecording.create(await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-mirror-src-')), 3);
  });
  afterAll(async () => {
    await nginx.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const read = (slug: string, file: string) => fetch(`${nginx.url}${pathwayUrl('', slug, file)}`);

  it('pushes over HTTP PUT what watch pages then read from the mirror, across origins', async () => {
    const pusher = new MirrorPusher(recording.dir, SLUG, new HttpPutTarget(nginx.url));
    await pusher.sync(0);
    await recording.add();
    await pusher.sync(1_000);
    const window = await read(SLUG, recordingFiles.liveAudioPlaylist);
    expect(window.status).toBe(200);
    expect(window.headers.get('access-control-allow-origin')).toBe('*');
    expect(window.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await window.text()).toContain(recording.segment(3));
    expect(await (await read(SLUG, recording.segment(3))).text()).toBe('segment 3');
    expect(await (await read(SLUG, recordingFiles.liveMaster)).text()).toContain('audio.live.m3u8');
  });

  it('writes into a directory that nginx serves as it would the pushed files', async () => {
    const slug = 'rally-2';
    await new MirrorPusher(recording.dir, slug, new DirectoryTarget(root)).sync(0);
    expect(await (await read(slug, recording.segment(0))).text()).toBe('segment 0');
    expect(await (await read(slug, recordingFiles.liveAudioPlaylist)).text()).toContain(recording.segment(2));
  });

  it('serves the watch page the kit pushed at /e/<slug>, with the origin page\'s defences, and no API', async () => {
    const clientDir = await fakeBuiltClient();
    const event = publicEvent({ slug: 'rally-3', title: 'Mirrored', status: 'live' });
    await new MirrorPusher(recording.dir, event.slug, new HttpPutTarget(nginx.url), { clientDir, describeEvent: () => event }).sync(0);

    const page = await fetch(`${nginx.url}/e/${event.slug}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toBe(cspHeaderValue(PAGE_CSP_DIRECTIVES));
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('/assets/boot-abc.js');
    const script = await fetch(`${nginx.url}/assets/boot-abc.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript');
    expect(script.headers.get('cache-control')).toMatch(/max-age=\d{6,}/);
    expect((await fetch(`${nginx.url}/sw.js`)).headers.get('content-type')).toBe('text/javascript');
    const description = await read(event.slug, recordingFiles.eventDescription);
    expect(description.headers.get('access-control-allow-origin')).toBe('*');
    expect(await description.json()).toEqual(event);
    // The page's requests for the API and sockets fail at once, not with the page in their place.
    for (const elsewhere of [`/api/events/${event.slug}/steering`, '/socket.io/?EIO=4&transport=polling', '/e/a/b']) {
      expect((await fetch(`${nginx.url}${elsewhere}`)).status).toBe(404);
    }
  });

  it('answers a PUT outside the HLS files with a refusal, leaving nothing there', async () => {
    const response = await fetch(`${nginx.url}/elsewhere.txt`, { method: 'PUT', body: 'x' });
    expect(response.status).toBe(404);
    await expect(fs.access(path.join(root, 'elsewhere.txt'))).rejects.toThrow();
  });
});
