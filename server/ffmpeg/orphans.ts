import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger';

/** What the reaper knows of one process, read from /proc. */
export interface ProcessInfo {
  pid: number;
  argv: string[];
  /** The parent's command name (`comm`), undefined when the parent is gone or unreadable. */
  parentName: string | undefined;
}

/**
 * Whether `proc` is an ffmpeg left behind by an earlier server on `dataDir`: it names a file in that
 * directory (a recording it writes, an upload it reads) and its parent is no longer a Node process —
 * when a server dies, its children are re-parented to init or a subreaper. An ffmpeg whose parent is
 * Node belongs to a server that is still running and is left alone.
 */
export function isOrphanedFfmpeg(proc: ProcessInfo, dataDir: string): boolean {
  return proc.parentName !== 'node' && isFfmpegUsing(proc, dataDir);
}

/** Whether `proc` is an ffmpeg naming a file inside `dir` in its arguments. */
export function isFfmpegUsing(proc: ProcessInfo, dir: string): boolean {
  const [command, ...args] = proc.argv;
  if (command === undefined || path.basename(command) !== 'ffmpeg') return false;
  const inside = path.resolve(dir) + path.sep;
  return args.some((arg) => path.isAbsolute(arg) && path.resolve(arg).startsWith(inside));
}

/**
 * Kills (SIGKILL) every ffmpeg an earlier server on `dataDir` left running, so that it cannot go on
 * writing into a recording this server is about to recover and continue. Runs before the server
 * starts any ffmpeg of its own. Linux only (it reads /proc); elsewhere it finds nothing.
 * Returns the pids it killed.
 */
export async function reapOrphanedFfmpeg(dataDir: string, logger: Logger, procDir = '/proc'): Promise<number[]> {
  const reaped: number[] = [];
  for (const proc of await listProcesses(procDir)) {
    if (!isOrphanedFfmpeg(proc, dataDir)) continue;
    try {
      process.kill(proc.pid, 'SIGKILL');
      reaped.push(proc.pid);
    } catch {
      // It ended by itself meanwhile, or is not ours to kill.
    }
  }
  if (reaped.length > 0) logger.warn({ pids: reaped }, 'killed ffmpeg left running by an earlier server on this data directory');
  return reaped;
}

/** Every process this user can read in `procDir`; none where there is no /proc. */
export async function listProcesses(procDir = '/proc'): Promise<ProcessInfo[]> {
  const entries = await fs.readdir(procDir).catch(() => [] as string[]);
  const found: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const proc = await readProcess(procDir, Number(entry));
    if (proc) found.push(proc);
  }
  return found;
}

/** A process's arguments and its parent's name; undefined when it ended while being read. */
async function readProcess(procDir: string, pid: number): Promise<ProcessInfo | undefined> {
  try {
    const argv = (await fs.readFile(path.join(procDir, String(pid), 'cmdline'), 'utf8')).split('\0').filter(Boolean);
    const stat = await fs.readFile(path.join(procDir, String(pid), 'stat'), 'utf8');
    // `pid (comm) state ppid ...`: comm may itself contain spaces and parentheses.
    const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    const parentName = await fs
      .readFile(path.join(procDir, String(ppid), 'comm'), 'utf8')
      .then((name) => name.trim(), () => undefined);
    return { pid, argv, parentName };
  } catch {
    return undefined;
  }
}
