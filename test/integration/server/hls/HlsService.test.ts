import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../../../../server/hls/PlaylistComposer';
import type { FfmpegPublisher } from '../../../../server/sfu/FfmpegPublisher';
import { rungNames, SPEECH_FRAME_MS, speechRung } from '../../../../shared/ladder';
import { LIVE_WINDOW_SEGMENTS, recordingFiles, recordingUrl, runFiles } from '../../../../shared/recordingLayout';
import { waitFor } from '../../../helpers/browser';
import { readRecordingFile, segmentUris } from '../../../helpers/playlists';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../../../helpers/testServer';

const run = promisify(execFile);

let test: TestServer;
let slug: string;
let dir: string;
let publisher: FfmpegPublisher;

const read = (file: string) => readRecordingFile(dir, file);
const served = (file: string, init?: RequestInit) => fetch(`${test.url}${recordingUrl(slug, file)}`, init);
const durationsOf = (playlist: string) => parseMediaPlaylist(playlist).segments.map((s) => s.duration);

async function publish(): Promise<void> {
  publisher = await publishTestPattern(test, slug);
}

beforeAll(async () => {
  // Under a dot-directory, where a data directory often lives: every file below must still be served.
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-home-'));
  test = await startTestServer({ DATA_DIR: path.join(home, '.local', 'share', 'jalsa') });
  ({ slug } = await createEvent(test, 'Packaged rally'));
  test.server.events.goLive(slug);
  dir = test.server.hls.recordingDir(slug);
  await publish();
});
afterAll(async () => {
  publisher?.close();
  await test.close();
});

describe('HLS packaging of a live event', () => {
  it('writes a master playlist with three video rungs and an audio-only rung', async () => {
    const master = await waitFor(
      () => read(recordingFiles.master),
      (m) => m.includes(recordingFiles.audioPlaylist),
      30_000,
    );
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    expect(variants).toHaveLength(4);
    expect(master).toMatch(/RESOLUTION=320x180.*\n180p\.m3u8/);
    expect(master).toMatch(/RESOLUTION=640x360.*\n360p\.m3u8/);
    expect(master).toMatch(/RESOLUTION=1280x720.*\n720p\.m3u8/);
    expect(master).toMatch(/CODECS="mp4a\.40\.2"\naudio\.m3u8/);
    for (const line of variants) expect(line).toMatch(/BANDWIDTH=\d+,.*CODECS="[^"]+"/);
  });

  it('cuts every rung into segments of about two seconds', async () => {
    for (const rung of rungNames) {
      const playlist = await waitFor(() => read(recordingFiles.rungPlaylist(rung)), (p) => segmentUris(p).length >= 4, 40_000);
      expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
      expect(playlist).toMatch(/#EXT-X-MAP:URI="runs\/\d+\/[a-z0-9]+\/init_\d\.mp4"/);
      const durations = durationsOf(playlist).slice(0, -1);
      expect(durations.length, rung).toBeGreaterThanOrEqual(3);
      for (const d of durations) expect(d, rung).toBeGreaterThan(1.5);
      for (const d of durations) expect(d, rung).toBeLessThan(2.6);
    }
  });

  it('encodes the rungs with the codecs and sizes the master playlist announces', async () => {
    const playlist = await read(recordingFiles.rungPlaylist('180p'));
    const init = path.join(dir, parseMediaPlaylist(playlist).segments[0]!.init!);
    const probe = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', init]);
    const streams = (JSON.parse(probe.stdout) as { streams: { codec_name: string; width?: number; height?: number; profile?: string }[] }).streams;
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(streams.find((s) => s.codec_name === 'h264')).toMatchObject({ width: 320, height: 180 });
  });

  it('writes the speech rung as 48 kHz mono Opus in its own playlist, cut like the AAC rung and left out of the master', async () => {
    const speech = await waitFor(() => read(recordingFiles.speechPlaylist), (p) => segmentUris(p).length >= 3, 30_000);
    const segments = parseMediaPlaylist(speech).segments;
    const [first] = segments;
    const probe = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path.join(dir, first!.init!)]);
    const streams = (JSON.parse(probe.stdout) as { streams: { codec_name: string; sample_rate: string; channels: number }[] }).streams;
    expect(streams).toEqual([expect.objectContaining({ codec_name: 'opus', sample_rate: '48000', channels: 1 })]);
    // A media segment plays after its init segment, as the audio pipe appends them: 2 s of 20 ms frames.
    const joined = path.join(dir, 'speech-probe.mp4');
    await fs.writeFile(joined, Buffer.concat([await fs.readFile(path.join(dir, first!.init!)), await fs.readFile(path.join(dir, first!.uri))]));
    const packets = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', joined]);
    await fs.rm(joined);
    expect(Number(packets.stdout.trim())).toBeGreaterThanOrEqual(Math.floor((first!.duration * 1000) / SPEECH_FRAME_MS) - 1);
    expect(first!.uri).toMatch(new RegExp(`^runs/\\d+/${speechRung.name}/seg_\\d{5}\\.m4s$`));
    const aac = durationsOf(await read(recordingFiles.audioPlaylist));
    segments.slice(0, 3).forEach((s, i) => expect(Math.abs(s.duration - aac[i]!)).toBeLessThan(0.1));
    expect(await read(recordingFiles.master)).not.toContain(recordingFiles.speechPlaylist);
  });

  it('restarts a killed ffmpeg, marks a discontinuity and keeps every segment already written', async () => {
    const before = await read(recordingFiles.audioPlaylist);
    const written = segmentUris(before);
    const firstBytes = await fs.readFile(path.join(dir, written[0]!));
    const pid = test.server.hls.packager(slug)!.pid!;
    process.kill(pid, 'SIGKILL');
    const after = await waitFor(
      () => read(recordingFiles.audioPlaylist),
      (p) => p.includes('#EXT-X-DISCONTINUITY') && segmentUris(p.split('#EXT-X-DISCONTINUITY')[1]!).length >= 2,
      30_000,
    );
    expect(after).toContain('#EXT-X-DISCONTINUITY');
    expect(segmentUris(after).slice(0, written.length)).toEqual(written);
    expect(segmentUris(after.split('#EXT-X-DISCONTINUITY')[1]!).length).toBeGreaterThanOrEqual(2);
    expect(await fs.readFile(path.join(dir, written[0]!))).toEqual(firstBytes);
    expect(test.server.hls.packager(slug)!.pid).not.toBe(pid);
  });

  it('serves playlists and segments with HLS content types and cache rules a CDN honours', async () => {
    const master = await served(recordingFiles.master);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('cache-control')).toBe('max-age=1');
    const [segment] = segmentUris(await read(recordingFiles.rungPlaylist('360p')));
    const full = await served(segment!);
    expect(full.headers.get('content-type')).toBe('video/iso.segment');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const size = (await full.arrayBuffer()).byteLength;
    const ranged = await served(segment!, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
  });

  it('serves a live window of the newest segments, numbered as the whole playlist, from a data directory under a dot-directory', async () => {
    expect(test.dataDir).toContain(`${path.sep}.local${path.sep}`);
    const response = await served(recordingFiles.liveAudioPlaylist, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('max-age=1');
    // Public, written by the server alone, never a document: none of a page's defences on every reload,
    // a length rather than chunked framing, and a short validator for a cache's 304.
    for (const header of ['content-security-policy', 'x-content-type-options', 'cross-origin-resource-policy', 'transfer-encoding']) {
      expect(response.headers.get(header), header).toBeNull();
    }
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[\w-]{8}"$/);
    // A cache revalidating (fetch would otherwise add `no-cache` to a conditional request, forcing a 200).
    const unchanged = await served(recordingFiles.liveAudioPlaylist, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    // Unless a segment was added meanwhile (one every two seconds): then the new window.
    expect([304, 200]).toContain(unchanged.status);
    if (unchanged.status === 200) expect(unchanged.headers.get('etag')).not.toBe(etag);
    const window = await response.text();
    // Read after the window: the composer writes the whole playlist first, so it lists all the window does.
    const whole = segmentUris(await read(recordingFiles.audioPlaylist));
    const listed = segmentUris(window);
    expect(listed).toHaveLength(Math.min(LIVE_WINDOW_SEGMENTS, whole.length));
    expect(whole.slice(whole.indexOf(listed[0]!), whole.indexOf(listed[0]!) + listed.length)).toEqual(listed);
    expect(window).toContain(`#EXT-X-MEDIA-SEQUENCE:${whole.indexOf(listed[0]!)}\n`);
    expect(gzipSync(window).byteLength).toBeLessThan(500);
    const liveMaster = await served(recordingFiles.liveMaster);
    expect(await liveMaster.text()).toContain(recordingFiles.liveAudioPlaylist);
    expect((await served(listed[0]!)).status).toBe(200);
  });

  it('refuses paths that leave the recording', async () => {
    await fs.symlink(path.join(test.dataDir, 'organizer.key'), path.join(dir, 'leak.m3u8'));
    for (const trick of [
      `/hls/${slug}/..%2f..%2forganizer.key`,
      `/hls/${slug}/%2e%2e/%2e%2e/jalsa.sqlite`,
      `/hls/${slug}/runs%2f0%2faudio%2finit.mp4`,
      `/hls/..%2f${slug}/master.m3u8`,
      `/hls/${slug}/%2fetc%2fpasswd`,
      `/hls/${slug}/leak.m3u8`,
      recordingUrl(slug, `${recordingFiles.run(0)}/${runFiles.sdp}`),
    ]) {
      const response = await fetch(`${test.url}${trick}`);
      expect(response.status, trick).toBe(404);
      expect(await response.text(), trick).not.toContain(test.server.instanceKey);
    }
  });

  it('keeps the live playlist going across the organizer dropping out and coming back', async () => {
    const before = segmentUris(await read(recordingFiles.audioPlaylist));
    publisher.close();
    await new Promise((r) => setTimeout(r, 1500));
    await publish();
    const after = await waitFor(
      () => read(recordingFiles.audioPlaylist),
      (p) => segmentUris(p).length >= before.length + 2 && p.split('#EXT-X-DISCONTINUITY').length >= 3,
      30_000,
    );
    expect(segmentUris(after).slice(0, before.length)).toEqual(before);
  });

  it('turns the playlists into a VOD recording with an audio-only download when the event ends', async () => {
    test.server.events.end(slug);
    await test.server.hls.finished(slug);
    for (const rung of rungNames) {
      const playlist = await read(recordingFiles.rungPlaylist(rung));
      expect(playlist, rung).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST'), rung).toBe(true);
    }
    const audioFile = path.join(dir, recordingFiles.audioDownload);
    const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', audioFile]);
    const info = JSON.parse(probe.stdout) as { format: { duration: string }; streams: { codec_name: string }[] };
    expect(info.streams.map((s) => s.codec_name)).toEqual(['aac']);
    expect(Number(info.format.duration)).toBeGreaterThan(8);
    const download = await served(recordingFiles.audioDownload);
    expect(download.headers.get('content-disposition')).toContain(`${slug}.m4a`);
    const replays = (await (await fetch(`${test.url}/api/replays`)).json()) as { replays: { slug: string; durationSeconds: number; hasVideo: boolean; hasAudioDownload: boolean }[] };
    expect(replays.replays.find((r) => r.slug === slug)).toMatchObject({ hasVideo: true, hasAudioDownload: true });
    expect(replays.replays.find((r) => r.slug === slug)!.durationSeconds).toBeGreaterThan(8);
  });

  it('finalises a recording again on start-up without changing a segment', async () => {
    const before = await read(recordingFiles.rungPlaylist('720p'));
    await test.close();
    test = await startTestServer({ DATA_DIR: test.dataDir });
    expect(await read(recordingFiles.rungPlaylist('720p'))).toBe(before);
    const playlist = await served(recordingFiles.rungPlaylist('720p'));
    expect(playlist.headers.get('cache-control')).toBe('max-age=300');
  });
});
