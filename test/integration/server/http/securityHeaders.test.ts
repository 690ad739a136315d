import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingFiles, recordingUrl } from '../../../../shared/recordingLayout';
import { steeringPath } from '../../../../shared/steering';
import { FakeRecording } from '../../../helpers/fakeRecording';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

/**
 * This server as another's mirror: a watch page served elsewhere (here, another port of the loopback: another
 * origin, with no policy of its own in the way) reads this server's HLS files across origins, as Chromium
 * enforces it, while the API stays closed to other sites as it was.
 */
const test = withServerAndBrowser();
let slug: string;
let recording: FakeRecording;
/** A page of the other site. */
let elsewhere: Page;

beforeAll(async () => {
  ({ slug } = await createEvent(test, 'Mirrored rally'));
  recording = await FakeRecording.create(path.join(test.server.hls.recordingsDir, slug), 3);
  const site = http.createServer((_req, res) => res.setHeader('content-type', 'text/html').end('<!doctype html><title>elsewhere</title>'));
  test.own({ close: () => site.close() });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  elsewhere = await test.browser.newPage();
  await elsewhere.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
});

/** A plain GET from the other site's page, as the players make it: the status and text, or the browser's refusal. */
function fetchFromElsewhere(url: string): Promise<{ status: number; text: string } | { refused: string }> {
  return elsewhere.evaluate(async (address) => {
    try {
      const response = await fetch(address);
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { refused: String(error) };
    }
  }, `${test.url}${url}`);
}

/** The headers this server answers with, to a page of `origin` or of its own (Node's fetch: no enforcement, only what is sent). */
async function headersFor(url: string, origin?: string): Promise<Headers> {
  const response = await fetch(`${test.url}${url}`, { headers: origin === undefined ? {} : { origin } });
  await response.arrayBuffer();
  return response.headers;
}

describe('HLS files for a watch page of another origin', () => {
  it('lets it read the playlists, segments and posters, and tell a missing file by its 404, without a preflight', async () => {
    expect(await fetchFromElsewhere(recordingUrl(slug, recordingFiles.liveMaster))).toMatchObject({ status: 200, text: expect.stringContaining('#EXTM3U') });
    expect(await fetchFromElsewhere(recordingUrl(slug, recordingFiles.liveAudioPlaylist))).toMatchObject({ status: 200, text: expect.stringContaining(recording.segment(2)) });
    expect(await fetchFromElsewhere(recordingUrl(slug, recording.segment(2)))).toEqual({ status: 200, text: 'segment 2' });
    expect(await fetchFromElsewhere(recordingUrl(slug, recordingFiles.poster))).toEqual({ status: 200, text: 'jpeg' });
    expect(await fetchFromElsewhere(recordingUrl(slug, recording.segment(9)))).toMatchObject({ status: 404 });
  });

  it('answers a request from another origin with the public CORS header, the files other than playlists loadable across origins', async () => {
    for (const file of [recordingFiles.liveAudioPlaylist, recording.segment(0), recording.init, recordingFiles.poster]) {
      const headers = await headersFor(recordingUrl(slug, file), 'http://elsewhere.example');
      expect(headers.get('access-control-allow-origin'), file).toBe('*');
      expect(headers.get('access-control-allow-credentials'), file).toBeNull();
    }
    const segment = await headersFor(recordingUrl(slug, recording.segment(0)), 'http://elsewhere.example');
    expect(segment.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(segment.get('x-content-type-options')).toBe('nosniff');
  });

  it('spares the page\'s own origin the header on every playlist reload, telling a cache the answers differ', async () => {
    const own = await headersFor(recordingUrl(slug, recordingFiles.liveAudioPlaylist));
    expect(own.get('access-control-allow-origin')).toBeNull();
    expect(own.get('vary')).toMatch(/\bOrigin\b/);
    expect((await headersFor(recordingUrl(slug, recordingFiles.liveAudioPlaylist), 'http://elsewhere.example')).get('vary')).toMatch(/\bOrigin\b/);
  });
});

describe('the API for a page of another origin', () => {
  it('stays closed as before: no CORS header, the same-origin resource policy, and the browser refuses the read', async () => {
    for (const url of [steeringPath(slug), '/api/replays']) {
      const headers = await headersFor(url, 'http://elsewhere.example');
      expect(headers.get('access-control-allow-origin'), url).toBeNull();
      expect(headers.get('cross-origin-resource-policy'), url).toBe('same-origin');
      expect(await fetchFromElsewhere(url)).toMatchObject({ refused: expect.stringContaining('Failed to fetch') });
    }
  });
});
