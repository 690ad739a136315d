import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';

export interface ServerProcess {
  url: string;
  dataDir: string;
  /** The server's own Node process (benchmarks read its CPU time). */
  pid: number;
  /** What the server wrote to stdout so far (what a service manager's journal would keep). */
  stdout(): string;
  /** How the process ended, whoever ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops it as a service manager does: SIGTERM, then SIGKILL if it takes over 10 s. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /**
   * In a process group of its own, with its children (mediasoup workers, ffmpeg), so that a test can
   * signal the whole group as a terminal's Ctrl-C or a service manager's stop does.
   */
  processGroup?: boolean;
  /** Node's own options before the script, e.g. `--cpu-prof` for a bench to profile the server. */
  nodeOptions?: string[];
}

const projectRoot = path.resolve(import.meta.dirname, '../..');
const STDOUT_LIMIT = 1024 * 1024;

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The environment that keeps the production default of shedding newcomers while the loop lags, for benches that measure it. */
export const productionShedding = { SHED_EVENT_LOOP_DELAY_MS: String(loadConfig({}).admission.shedLoopDelayMs) };

/**
 * Jalsa as its own OS process (`node --import tsx server/main.ts`: one process, so signals and CPU time
 * are the server's own), on loopback, for tests that need several hosts.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { processGroup = false, nodeOptions = [] }: ServerProcessOptions = {},
): Promise<ServerProcess> {
  // A given PORT lets a restarted server answer where its clients reconnect.
  const port = env.PORT ? Number(env.PORT) : await freeTcpPort();
  // A given DATA_DIR lets a second server start where an earlier one stopped (or crashed).
  const dataDir = env.DATA_DIR ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-process-')));
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'server/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MEDIASOUP_WORKERS: '1',
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      // Tests of everything else chat at once; the newcomer's wait has tests of its own.
      CHAT_NEW_CHATTER_WAIT_SECONDS: '0',
      // A child's first seconds (tsx compiling the server) and a loaded test machine lag the loop: shedding
      // would refuse the tests' own clients. Shedding has tests of its own; benches that measure it pass
      // the production value.
      SHED_EVENT_LOOP_DELAY_MS: '0',
      ...env,
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: processGroup,
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    // Bounded: a long run at a verbose level must not grow the test's memory without end.
    if (stdout.length < STDOUT_LIMIT) stdout += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server process exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server process did not become ready');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dataDir,
    pid: child.pid!,
    stdout: () => stdout,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** REST calls to a server process as its organizer (`key`: the instance key it was started with). */
export function organizerApi(server: ServerProcess, key: string) {
  return (route: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api${route}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
}

export async function createEventOn(server: ServerProcess, key: string, title: string): Promise<{ slug: string; eventKey: string }> {
  const response = await organizerApi(server, key)('/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (response.status !== 201) throw new Error(`creating an event answered ${response.status}`);
  const { event, organizerKey } = (await response.json()) as { event: { slug: string }; organizerKey: string };
  return { slug: event.slug, eventKey: organizerKey };
}

/** Uploads a media file and broadcasts it into the event, as an organizer going live from a recording. */
export async function broadcastFileOn(server: ServerProcess, key: string, slug: string, file: string): Promise<Response> {
  const form = new FormData();
  form.append('media', new Blob([await fs.readFile(file)]), path.basename(file));
  return organizerApi(server, key)(`/events/${slug}/file-broadcast`, { method: 'POST', body: form });
}

/** The live processes named `name` (ffmpeg, mediasoup-worker as the kernel shortens it) whose parent is `pid`, from /proc. */
export async function childProcesses(pid: number, name: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^(\d+) \((.*)\) (\S) (\d+) /.exec(stat);
    if (match && match[2] === name && match[3] !== 'Z' && Number(match[4]) === pid) found.push(Number(match[1]));
  }
  return found;
}

/** The server's packager ffmpeg (it reads the room's RTP from an SDP file), not a file broadcast's. */
export async function packagerFfmpegOf(server: ServerProcess): Promise<number> {
  for (const pid of await childProcesses(server.pid, 'ffmpeg')) {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('.sdp')) return pid;
  }
  throw new Error('no packager ffmpeg');
}

/** Whether a process exists and is not a zombie. */
export function isRunning(pid: number): Promise<boolean> {
  return fs.readFile(`/proc/${pid}/stat`, 'utf8').then((stat) => !/\) Z /.test(stat), () => false);
}
