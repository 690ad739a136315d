import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ServerProcess {
  url: string;
  dataDir: string;
  /** The server's own Node process (benchmarks read its CPU time). */
  pid: number;
  /** What the server wrote to stdout so far (what a service manager's journal would keep). */
  stdout(): string;
  stop(): Promise<void>;
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

/**
 * Jalsa as its own OS process (`node --import tsx server/main.ts`: one process, so signals and CPU time
 * are the server's own), on loopback, for tests that need several hosts.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freeTcpPort();
  // A given DATA_DIR lets a second server start where an earlier one stopped (or crashed).
  const dataDir = env.DATA_DIR ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-process-')));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
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
      ...env,
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    // Bounded: a long run at a verbose level must not grow the test's memory without end.
    if (stdout.length < STDOUT_LIMIT) stdout += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
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
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
