import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { freeTcpPort } from './serverProcess';

export interface TestRedis {
  url: string;
  /** A key prefix of its own, so that tests sharing one Redis never see each other's keys. */
  keyPrefix: string;
  /** The redis-server process, when it is this process's own (a drill kills it). */
  pid: number | undefined;
  close(): Promise<void>;
}

/**
 * A real Redis: the one at REDIS_URL when set (CI starts one), else (or when `own`, for a test that stops
 * it) a redis-server of this process on a loopback port (`port`, or a free one), without persistence,
 * stopped by close().
 */
export async function startRedis({ own = false, port }: { own?: boolean; port?: number } = {}): Promise<TestRedis> {
  const keyPrefix = `jalsa-test-${crypto.randomBytes(6).toString('hex')}:`;
  const existing = process.env.REDIS_URL;
  if (existing && !own) return { url: existing, keyPrefix, pid: undefined, close: () => forget(existing, keyPrefix) };

  const listenPort = port ?? (await freeTcpPort());
  const child = spawn(
    'redis-server',
    ['--port', String(listenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${listenPort}`;
  try {
    await untilAnswering(url, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    keyPrefix,
    pid: child.pid,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function untilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const answered = await probe.connect().then(
      () => probe.ping().then(() => true),
      () => false,
    );
    probe.disconnect();
    if (answered) return;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Leaves a shared Redis as it was found: removes the keys written under this prefix. */
async function forget(url: string, keyPrefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    for await (const keys of redis.scanStream({ match: `${keyPrefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
