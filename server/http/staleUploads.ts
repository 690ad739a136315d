import fs from 'node:fs/promises';
import path from 'node:path';
import { isFfmpegUsing, listProcesses } from '../ffmpeg/orphans';
import type { Logger } from '../logger';

/** What the sweep knows of one upload directory (`uploads/<slug>/<id>/`). */
export interface UploadDirState {
  /** The latest modification of the directory or any file in it. */
  lastWriteMs: number;
  /** A running ffmpeg reads from it: a broadcast of a server on the same data directory. */
  inUse: boolean;
}

/**
 * An upload directory left by a server that stopped mid-upload or mid-broadcast. Another server on the
 * same data directory may still be using one: broadcasting from it (its ffmpeg names the file), or
 * receiving into it, which writes at least once per idle timeout or is cut off.
 */
export function isStaleUpload(dir: UploadDirState, nowMs: number, idleTimeoutMs: number): boolean {
  return !dir.inUse && nowMs - dir.lastWriteMs > idleTimeoutMs;
}

/**
 * Removes the stale upload directories under `uploadsDir` (see {@link isStaleUpload}), and event
 * directories left empty. Run at start-up, after orphaned ffmpeg are reaped: a server removes its own
 * uploads when they end, so only a server that died leaves any. Returns the directories removed.
 */
export async function removeStaleUploads(
  uploadsDir: string,
  idleTimeoutMs: number,
  logger: Logger,
  nowMs = Date.now(),
  procDir = '/proc',
): Promise<string[]> {
  const processes = await listProcesses(procDir);
  const removed: string[] = [];
  for (const eventDir of await subdirectories(uploadsDir)) {
    for (const dir of await subdirectories(eventDir)) {
      const state = { lastWriteMs: await lastWrite(dir), inUse: processes.some((proc) => isFfmpegUsing(proc, dir)) };
      if (!isStaleUpload(state, nowMs, idleTimeoutMs)) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    // Fails harmlessly when the event directory still holds a live upload.
    await fs.rmdir(eventDir).catch(() => undefined);
  }
  if (removed.length > 0) logger.info({ count: removed.length }, 'removed uploads left by an earlier server');
  return removed;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(dir, entry.name));
}

async function lastWrite(dir: string): Promise<number> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stats = await Promise.all([dir, ...names.map((name) => path.join(dir, name))].map((file) => fs.stat(file).catch(() => undefined)));
  return Math.max(0, ...stats.map((stat) => stat?.mtimeMs ?? 0));
}
