import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../helpers/ChatTestClient';
import {
  broadcastFileOn,
  childProcesses,
  createEventOn,
  isRunning,
  organizerApi,
  startServerProcess,
  type ServerProcess,
} from '../helpers/serverProcess';

/**
 * Faults in ffmpeg, against the real server in its own process: ffmpeg missing from the machine, and
 * the server killed mid-broadcast with its ffmpeg still running. Neither may take the server down nor
 * leave a stray ffmpeg writing into a recording.
 */
const run = promisify(execFile);
const ORGANIZER_KEY = randomToken(24);
let fixtures: string;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  fixtures = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-faults-'));
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=30',
    '-c:a', 'aac', '-b:a', '32k', path.join(fixtures, 'speech.m4a')]);
  // A PATH with ffprobe (the upload is checked) but no ffmpeg (the broadcast cannot start).
  await fs.mkdir(path.join(fixtures, 'bin'));
  await fs.symlink((await run('sh', ['-c', 'command -v ffprobe'])).stdout.trim(), path.join(fixtures, 'bin', 'ffprobe'));
});

afterAll(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await fs.rm(fixtures, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ ORGANIZER_KEY, ...env });
  servers.push(server);
  return server;
}

const api = (server: ServerProcess, route: string, init?: RequestInit) => organizerApi(server, ORGANIZER_KEY)(route, init);
const createEvent = async (server: ServerProcess, title: string) => (await createEventOn(server, ORGANIZER_KEY, title)).slug;
const broadcastFile = (server: ServerProcess, slug: string) =>
  broadcastFileOn(server, ORGANIZER_KEY, slug, path.join(fixtures, 'speech.m4a'));
const ffmpegChildren = (pid: number) => childProcesses(pid, 'ffmpeg');

describe('ffmpeg faults', () => {
  it('refuses a file broadcast clearly when ffmpeg is missing, and keeps serving every other request', async () => {
    const server = await start({ PATH: path.join(fixtures, 'bin') });
    const slug = await createEvent(server, 'No ffmpeg rally');
    const response = await broadcastFile(server, slug);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/cannot start ffmpeg/);
    // The event goes live only once ffmpeg runs: a broadcast that never started leaves it as it was.
    expect(((await (await api(server, `/events/${slug}`)).json()) as { status: string }).status).toBe('scheduled');

    // Give whatever else the failed start set off (the packager, retries) time to fail too.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const other = await createEvent(server, 'Another rally');
    const listed = (await (await api(server, '/events')).json()) as { events: { slug: string }[] };
    expect(listed.events.map((e) => e.slug)).toEqual(expect.arrayContaining([slug, other]));
  });

  it('kills the ffmpeg a crashed server left running when the next server starts on its data directory', async () => {
    const first = await start();
    const slug = await createEvent(first, 'Crashing rally');
    expect((await broadcastFile(first, slug)).status).toBe(201);
    // The file's publisher, and the packager once the media reaches the room.
    await expect.poll(() => ffmpegChildren(first.pid), { timeout: 20_000, interval: 250 }).toHaveLength(2);
    const left = await ffmpegChildren(first.pid);

    process.kill(first.pid, 'SIGKILL');
    await first.stop();
    for (const pid of left) expect(await isRunning(pid), `ffmpeg ${pid} outlives its server`).toBe(true);

    const second = await start({ DATA_DIR: first.dataDir });
    for (const pid of left) expect(await isRunning(pid), `ffmpeg ${pid} after the restart`).toBe(false);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    expect((await api(second, `/events/${slug}`)).status).toBe(200);
  });
});
