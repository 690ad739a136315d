import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStaleUpload, removeStaleUploads } from '../../../../server/http/staleUploads';
import { createLogger } from '../../../../server/logger';

const IDLE_MS = 60_000;
const NOW = 1_000_000_000;

describe('isStaleUpload', () => {
  it('takes an upload nobody reads and nobody has written to for longer than the idle timeout', () => {
    expect(isStaleUpload({ lastWriteMs: NOW - IDLE_MS - 1, inUse: false }, NOW, IDLE_MS)).toBe(true);
  });

  it('keeps one another server may still be receiving, or is broadcasting from', () => {
    expect(isStaleUpload({ lastWriteMs: NOW - IDLE_MS, inUse: false }, NOW, IDLE_MS)).toBe(false);
    expect(isStaleUpload({ lastWriteMs: NOW - 10 * IDLE_MS, inUse: true }, NOW, IDLE_MS)).toBe(false);
  });
});

/** A /proc with one process: an ffmpeg, child of a running server, reading `file`. */
async function fakeProc(file: string): Promise<string> {
  const proc = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-proc-'));
  await fs.mkdir(path.join(proc, '100'));
  await fs.mkdir(path.join(proc, '99'));
  await fs.writeFile(path.join(proc, '100', 'cmdline'), ['/usr/bin/ffmpeg', '-re', '-f', 'mov', '-i', file, ''].join('\0'));
  await fs.writeFile(path.join(proc, '100', 'stat'), '100 (ffmpeg) S 99 100 100 0');
  await fs.writeFile(path.join(proc, '99', 'comm'), 'node\n');
  return proc;
}

describe('removeStaleUploads', () => {
  it('removes old uploads and their emptied event directories, keeping what a running ffmpeg reads', async () => {
    const uploads = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-uploads-'));
    const old = path.join(uploads, 'ended-rally', 'a1');
    const playing = path.join(uploads, 'live-rally', 'b2');
    for (const dir of [old, playing]) {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'media'), 'x');
    }
    const proc = await fakeProc(path.join(playing, 'media'));
    const later = Date.now() + 10 * IDLE_MS;

    expect(await removeStaleUploads(uploads, IDLE_MS, createLogger('silent'), later, proc)).toEqual([old]);
    expect(await fs.readdir(uploads)).toEqual(['live-rally']);
    expect(await fs.readdir(playing)).toEqual(['media']);
  });

  it('finds nothing to do where there are no uploads yet', async () => {
    expect(await removeStaleUploads(path.join(os.tmpdir(), 'jalsa-no-such-dir'), IDLE_MS, createLogger('silent'))).toEqual([]);
  });
});
