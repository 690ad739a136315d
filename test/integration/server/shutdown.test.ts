import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audioRung } from '../../../shared/ladder';
import { recordingFiles, runFiles } from '../../../shared/recordingLayout';
import { randomToken } from '../../helpers/ChatTestClient';
import { segmentUris } from '../../helpers/playlists';
import { startRedis } from '../../helpers/redisServer';
import {
  broadcastFileOn,
  childProcesses,
  createEventOn,
  isRunning,
  organizerApi,
  packagerFfmpegOf,
  startServerProcess,
  type ServerProcess,
} from '../../helpers/serverProcess';
import { SignallingClient } from '../../helpers/SignallingClient';

/**
 * Stopping the real server in its own process mid-event: SIGTERM finishes the recording within the
 * configured time, a second signal or a hung stop still ends the process, and a signal to the whole
 * process group (Ctrl-C, a service manager's stop) — which kills the mediasoup workers and Redis too —
 * does not leave it replacing workers for ever.
 */
const run = promisify(execFile);
const ORGANIZER_KEY = randomToken(24);
let fixtures: string;
let speech: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  fixtures = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-shutdown-'));
  const wav = path.join(fixtures, 'speech.wav');
  await run('espeak-ng', ['-w', wav, 'Friends, the rally goes on while the server restarts. '.repeat(12)]);
  speech = path.join(fixtures, 'speech.m4a');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', wav, '-c:a', 'aac', '-b:a', '32k', speech]);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => fs.rm(fixtures, { recursive: true, force: true }));

async function start(env: Record<string, string> = {}, processGroup = false): Promise<ServerProcess> {
  const server = await startServerProcess({ ORGANIZER_KEY, SERVE_CLIENT: 'false', ...env }, { processGroup });
  cleanups.push(() => server.stop());
  return server;
}

/** A live event broadcasting the speech file, once its recording holds `segments` audio segments. */
async function liveEvent(server: ServerProcess, segments: number): Promise<{ slug: string; eventKey: string; dir: string }> {
  const event = await createEventOn(server, ORGANIZER_KEY, 'Rally that outlives its server');
  expect((await broadcastFileOn(server, ORGANIZER_KEY, event.slug, speech)).status).toBe(201);
  const dir = path.join(server.dataDir, 'recordings', event.slug);
  await expect.poll(() => audioSegments(dir), { timeout: 30_000, interval: 250 }).toSatisfy((s: string[]) => s.length >= segments);
  return { ...event, dir };
}

const audioPlaylist = (dir: string) => fs.readFile(path.join(dir, recordingFiles.audioPlaylist), 'utf8').catch(() => '');
const audioSegments = async (dir: string) => segmentUris(await audioPlaylist(dir));

/** Processes still alive in a process group, read from /proc. */
async function groupMembers(pgid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp
    const match = /^(\d+) \(.*\) (\S) \d+ (\d+) /.exec(stat);
    if (match && match[2] !== 'Z' && Number(match[3]) === pgid) found.push(Number(match[1]));
  }
  return found;
}

/** A live server sent SIGTERM while its packager ffmpeg cannot answer SIGINT: the stop waits on it. */
async function stopWithHungPackager(timeoutMs: string): Promise<{ server: ServerProcess; ffmpeg: number }> {
  const server = await start({ SHUTDOWN_TIMEOUT_MS: timeoutMs });
  await liveEvent(server, 1);
  const ffmpeg = await packagerFfmpegOf(server);
  process.kill(ffmpeg, 'SIGSTOP');
  process.kill(server.pid, 'SIGTERM');
  return { server, ffmpeg };
}

async function timedExit(server: ServerProcess) {
  const started = Date.now();
  const exit = await server.exited;
  return { ...exit, ms: Date.now() - started };
}

describe('stopping the server', () => {
  it('finishes the live recording on SIGTERM within the timeout (ffmpeg ends its run itself, not killed on a silenced input), and the recording replays whole once the event ends after a restart', async () => {
    const first = await start({ SHUTDOWN_TIMEOUT_MS: '15000' });
    const { slug, eventKey, dir } = await liveEvent(first, 3);
    const before = await audioSegments(dir);

    process.kill(first.pid, 'SIGTERM');
    const exit = await timedExit(first);
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(15_000);
    const finished = await audioPlaylist(dir);
    expect(finished.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const atStop = segmentUris(finished);
    expect(atStop.slice(0, before.length)).toEqual(before);
    // ffmpeg finished its run itself (it writes ENDLIST on a clean stop), not killed after its grace: the
    // recording stopped while the file broadcast still sent, so ffmpeg was not left waiting on silence.
    const runs = await fs.readdir(path.join(dir, recordingFiles.runs));
    const lastRun = Math.max(...runs.map(Number));
    const ffmpegPlaylist = await fs.readFile(path.join(dir, recordingFiles.run(lastRun), runFiles.rungPlaylist(audioRung.name)), 'utf8');
    expect(ffmpegPlaylist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    for (const uri of atStop) await expect(fs.access(path.join(dir, uri))).resolves.toBeUndefined();

    // Back on the same data: still live, so the playlist is open again for the organizer's next run.
    const second = await start({ DATA_DIR: first.dataDir });
    expect(((await (await organizerApi(second, ORGANIZER_KEY)(`/events/${slug}`)).json()) as { status: string }).status).toBe('live');
    expect((await audioPlaylist(dir)).includes('#EXT-X-ENDLIST')).toBe(false);
    const organizer = await SignallingClient.connect(second.url);
    cleanups.push(() => organizer.close());
    await organizer.ok('join', { slug, key: eventKey });
    await organizer.ok('endEvent', {});

    const listed = async () => ((await (await fetch(`${second.url}/api/replays`)).json()) as { replays: { slug: string }[] }).replays;
    await expect.poll(listed, { timeout: 20_000, interval: 250 }).toSatisfy((list: { slug: string }[]) => list.some((r) => r.slug === slug));
    await expect
      .poll(() => audioPlaylist(dir), { timeout: 20_000, interval: 250 })
      .toSatisfy((playlist: string) => playlist.trimEnd().endsWith('#EXT-X-ENDLIST'));
    const replayed = await audioPlaylist(dir);
    expect(segmentUris(replayed)).toEqual(atStop);
    for (const uri of atStop) expect((await fetch(`${second.url}/hls/${slug}/${uri}`)).status).toBe(200);
  });

  it('exits at once, with a failure code, on a second signal while the stop waits on ffmpeg', async () => {
    const { server, ffmpeg } = await stopWithHungPackager('20000');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await isRunning(server.pid)).toBe(true);
    process.kill(server.pid, 'SIGTERM');
    const exit = await timedExit(server);
    expect(exit.code).toBe(130);
    expect(exit.ms).toBeLessThan(2_000);
    // The exit kills what it did not wait for: no ffmpeg is left writing into the recording.
    await expect.poll(() => isRunning(ffmpeg), { timeout: 2_000 }).toBe(false);
  });

  it('exits with a failure code when the stop outlasts SHUTDOWN_TIMEOUT_MS', async () => {
    const { server, ffmpeg } = await stopWithHungPackager('1000');
    const exit = await timedExit(server);
    expect(exit.code).toBe(1);
    // Well before the packager's own 5 s grace would have ended the wait.
    expect(exit.ms).toBeLessThan(3_500);
    await expect.poll(() => isRunning(ffmpeg), { timeout: 2_000 }).toBe(false);
  });

  it('stops promptly when SIGINT reaches its whole process group, Redis included, and starts no new mediasoup worker', async () => {
    const redis = await startRedis({ own: true });
    cleanups.push(() => redis.close());
    const server = await start({ MEDIASOUP_WORKERS: '2', REDIS_URL: redis.url, SHUTDOWN_TIMEOUT_MS: '15000' }, true);
    await liveEvent(server, 1);
    expect(await childProcesses(server.pid, 'mediasoup-worke')).toHaveLength(2);

    // As Ctrl-C in `npm run demo:cluster`: the server, its workers, its ffmpeg and the Redis all get it.
    process.kill(-server.pid, 'SIGINT');
    await redis.close();
    const exit = await timedExit(server);
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(10_000);
    await expect.poll(() => groupMembers(server.pid), { timeout: 3_000 }).toEqual([]);
  });
});
