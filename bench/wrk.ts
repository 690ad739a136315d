import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  requestsPerSecond: number;
  megabytesPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Answers other than 2xx/3xx, and socket errors. */
  errors: number;
}

/**
 * Load from wrk (Debian's `wrk`): `connections` clients, each asking for `paths` in turn, as fast as
 * the server answers. A C load generator leaves more of a small machine to the server than a Node one.
 */
export async function wrk(base: string, paths: string[], { connections, seconds }: { connections: number; seconds: number }): Promise<WrkResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-wrk-'));
  const script = path.join(dir, 'paths.lua');
  await fs.writeFile(
    script,
    `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}\nlocal i = 0\n` +
      // Players accept gzip: playlists are then compressed per request, as they are for real viewers.
      'local headers = { ["Accept-Encoding"] = "gzip" }\n' +
      'request = function()\n  i = i + 1\n  return wrk.format("GET", paths[(i % #paths) + 1], headers)\nend\n',
  );
  try {
    const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, base]).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new Error('wrk is missing: apt-get install wrk (scripts/setup.sh installs it)');
        throw error;
      },
    );
    return parseWrk(stdout);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Math.round(number(/Requests\/sec:\s+([\d.]+)/)),
    megabytesPerSecond: Number(transferMegabytes(/Transfer\/sec:\s+([\d.]+\w+)/.exec(output)?.[1]).toFixed(1)),
    latencyP50Ms: milliseconds(/ 50%\s+([\d.]+\w+)/.exec(output)?.[1]),
    latencyP99Ms: milliseconds(/ 99%\s+([\d.]+\w+)/.exec(output)?.[1]),
    errors:
      (number(/Non-2xx or 3xx responses: (\d+)/) || 0) +
      (socketErrors ? socketErrors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0),
  };
}

function milliseconds(value: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number((Number(match[1]) * scale).toFixed(2));
}

function transferMegabytes(value: string | undefined): number {
  const match = /^([\d.]+)(B|KB|MB|GB)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  return Number(match[1]) * { B: 1 / 1024 / 1024, KB: 1 / 1024, MB: 1, GB: 1024 }[match[2] as 'B' | 'KB' | 'MB' | 'GB'];
}
