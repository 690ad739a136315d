import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Vitest global setup: every temporary directory of a run (servers' data directories, fixtures, nginx,
 * Chromium profiles, ffmpeg's files) is made under one directory that the run removes when it ends.
 * Tests restart servers on an earlier server's data directory, so no single test can own the removal;
 * `os.tmpdir()` follows TMPDIR, which the test processes and every child they spawn inherit.
 */
export default function setup(): () => void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jalsa-run-'));
  process.env.TMPDIR = runDir;
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
