import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFiles, recordingUrl } from '../../shared/recordingLayout';
import { ReplayListResponse } from '../../shared/recordings';
import { waitForLadder } from '../helpers/ladder';
import { sample } from '../helpers/prometheus';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Costs an anonymous client could make the server pay per request (issue 11, hole 8): each test makes
 * the requests against the real server, with a real recording made by the real packager, and checks
 * from what the server exposes (its metrics, its files) that it paid once, or refused.
 */

/** Low, so that a flood is quick to show; burst ten seconds' worth. */
const REQUESTS_PER_SECOND = 3;

let test: TestServer;
/** An ended event with a finished recording. */
let recorded: string;

/** A GET from `address`, as the trusted local proxy would report it. */
function get(url: string, address: string): Promise<Response> {
  return fetch(url, { headers: { 'x-forwarded-for': address } });
}

async function metric(name: string, server = test): Promise<number> {
  const text = await (await get(`${server.url}/metrics`, '192.0.2.200')).text();
  const value = sample(text, name);
  if (value === undefined) throw new Error(`no ${name} in /metrics`);
  return value;
}

async function recordAndEnd(title: string): Promise<string> {
  const { slug } = await createEvent(test, title);
  const publisher = await publishTestPattern(test, slug, { width: 320, height: 180 });
  try {
    await waitForLadder(test, slug, 2);
  } finally {
    publisher.close();
  }
  test.server.events.end(slug);
  await test.server.hls.finished(slug);
  return slug;
}

beforeAll(async () => {
  test = await startTestServer({ HTTP_ADDRESS_REQUESTS_PER_SECOND: String(REQUESTS_PER_SECOND) });
  recorded = await recordAndEnd('Recorded rally');
}, 60_000);
afterAll(async () => {
  await test?.close();
});

describe('the replay list', () => {
  it('answers many concurrent requests without reading the recordings again', async () => {
    const readsBefore = await metric('jalsa_recording_catalog_reads_total');
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => get(`${test.url}/api/replays`, `192.0.2.${i + 1}`)),
    );
    expect(answers.map((response) => response.status)).toEqual(Array(25).fill(200));
    const pages = await Promise.all(answers.map(async (response) => ReplayListResponse.parse(await response.json())));
    for (const page of pages) expect(page.replays.map((replay) => replay.slug)).toContain(recorded);
    // Finishing the recording left its description to be read once, on the first request.
    expect((await metric('jalsa_recording_catalog_reads_total')) - readsBefore).toBeLessThanOrEqual(1);
    const readsAfter = await metric('jalsa_recording_catalog_reads_total');
    await Promise.all(Array.from({ length: 10 }, (_, i) => get(`${test.url}/api/replays`, `192.0.2.${i + 1}`)));
    expect(await metric('jalsa_recording_catalog_reads_total')).toBe(readsAfter);
  });

  it('lists a recording finished after the list was cached', async () => {
    const { slug } = await createEvent(test, 'Finished later');
    // The packager's runs of another recording stand in for what this event's packager wrote.
    await fs.cp(path.join(test.server.hls.recordingDir(recorded), recordingFiles.runs), path.join(test.server.hls.recordingDir(slug), recordingFiles.runs), {
      recursive: true,
    });
    test.server.events.end(slug);
    await get(`${test.url}/api/replays`, '192.0.2.50');
    await test.server.hls.finished(slug);
    const page = ReplayListResponse.parse(await (await get(`${test.url}/api/replays`, '192.0.2.50')).json());
    expect(page.replays.find((replay) => replay.slug === slug)).toMatchObject({ hasAudioDownload: true });
  });

  it('answers a page at a time, and refuses a page larger than the bound', async () => {
    const first = ReplayListResponse.parse(await (await get(`${test.url}/api/replays?limit=1`, '192.0.2.60')).json());
    expect(first.replays).toHaveLength(1);
    expect(first.next).toBe(1);
    const second = ReplayListResponse.parse(await (await get(`${test.url}/api/replays?limit=1&offset=1`, '192.0.2.60')).json());
    expect(second.replays.map((replay) => replay.slug)).not.toContain(first.replays[0]!.slug);
    expect((await get(`${test.url}/api/replays?limit=100000`, '192.0.2.60')).status).toBe(400);
    const one = await get(`${test.url}/api/replays/${recorded}`, '192.0.2.60');
    expect(((await one.json()) as { replay: { slug: string } }).replay.slug).toBe(recorded);
  });
});

describe('the health check', () => {
  it('does not write a file per request', async () => {
    const probes = new Set<string>();
    const watching = new AbortController();
    const watcher = (async () => {
      for await (const change of fs.watch(test.server.hls.recordingsDir, { signal: watching.signal })) {
        if (change.filename?.startsWith('.write-probe-')) probes.add(change.filename);
      }
    })().catch((error: unknown) => {
      if ((error as Error).name !== 'AbortError') throw error;
    });
    const answers = [];
    for (let round = 0; round < 3; round++) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => get(`${test.url}/healthz`, `192.0.2.${100 + i}`)))));
    }
    expect(answers.map((response) => response.status)).toEqual(Array(60).fill(200));
    watching.abort();
    await watcher;
    // One probe per ten seconds at most: this test's sixty requests may straddle one renewal.
    expect(probes.size).toBeLessThanOrEqual(2);
  });
});

describe('the REST rate limit', () => {
  it('answers a flood from one address with 429 and Retry-After, while another address and HLS files are served', async () => {
    const flood = await Promise.all(Array.from({ length: 60 }, () => get(`${test.url}/api/events`, '203.0.113.66')));
    const refused = flood.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(60 - REQUESTS_PER_SECOND * 10 - REQUESTS_PER_SECOND * 2);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused[0]!.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await get(`${test.url}/healthz`, '203.0.113.66')).status).toBe(429);

    expect((await get(`${test.url}/api/events`, '198.51.100.66')).status).toBe(200);
    const playlist = `${test.url}${recordingUrl(recorded, recordingFiles.audioPlaylist)}`;
    const hls = await Promise.all(Array.from({ length: 40 }, () => get(playlist, '203.0.113.66')));
    expect(hls.map((response) => response.status)).toEqual(Array(40).fill(200));
  });
});

describe('the audio download', () => {
  it('is made by one ffmpeg when many ask at once for a missing one', async () => {
    const file = path.join(test.server.hls.recordingDir(recorded), recordingFiles.audioDownload);
    const original = await fs.readFile(file);
    await fs.rm(file);
    const runsBefore = await metric('jalsa_audio_download_runs_total');
    const url = `${test.url}${recordingUrl(recorded, recordingFiles.audioDownload)}`;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => get(url, `192.0.2.${150 + i}`)));
    expect(answers.map((response) => response.status)).toEqual(Array(12).fill(200));
    const sizes = await Promise.all(answers.map(async (response) => (await response.arrayBuffer()).byteLength));
    expect(new Set(sizes)).toEqual(new Set([original.length]));
    expect((await metric('jalsa_audio_download_runs_total')) - runsBefore).toBe(1);
  });
});

describe('a restart', () => {
  it('does not finish again a recording that was finished, and does finish one that was not', async () => {
    const dir = test.server.hls.recordingDir(recorded);
    const files = [recordingFiles.audioDownload, recordingFiles.audioPlaylist, recordingFiles.rungPlaylist('720p')];
    const modified = () => Promise.all(files.map(async (name) => (await fs.stat(path.join(dir, name))).mtimeMs));
    const before = await modified();
    const { slug: interrupted } = await createEvent(test, 'Interrupted finishing');
    const interruptedDir = test.server.hls.recordingDir(interrupted);
    await fs.cp(path.join(dir, recordingFiles.runs), path.join(interruptedDir, recordingFiles.runs), { recursive: true });
    test.server.events.end(interrupted);
    await test.server.hls.finished(interrupted);
    // As if the server had stopped before finishing it.
    await fs.rm(path.join(interruptedDir, recordingFiles.finishedMarker));
    await fs.rm(path.join(interruptedDir, recordingFiles.audioDownload));
    await test.close();

    test = await startTestServer({ DATA_DIR: test.dataDir, HTTP_ADDRESS_REQUESTS_PER_SECOND: String(REQUESTS_PER_SECOND) });
    expect(await modified()).toEqual(before);
    expect(await metric('jalsa_audio_download_runs_total')).toBe(1);
    await fs.access(path.join(interruptedDir, recordingFiles.finishedMarker));
    await fs.access(path.join(interruptedDir, recordingFiles.audioDownload));
  });
});
