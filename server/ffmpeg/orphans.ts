import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger';

/**
 * Set in the environment of every ffmpeg a server starts, to the server's pid: an ffmpeg whose parent
 * is no longer that process was left by a server that died, even one naming no file of the data
 * directory (the demo's, which reads lavfi and a cached speech track and sends RTP).
 */
export const STARTED_BY_ENV = 'JALSA_STARTED_BY';

/** What the reaper knows of one process, read from /proc. */
export interface ProcessInfo {
  pid: number;
  argv: string[];
  /** The parent's command name (`comm`), undefined when the parent is gone or unreadable. */
  parentName: string | undefined;
  /**
   * For a process with the {@link STARTED_BY_ENV} mark, whether the server it names still runs;
   * undefined for processes without the mark.
   */
  starterRunning: boolean | undefined;
}

/**
 * Whether `proc` is an ffmpeg left behind by a server that died: when a server dies, its children are
 * re-parented to init or a subreaper. One marked with the server that started it is left behind once
 * that server no longer runs, whatever it reads or writes. An unmarked one (started by an older
 * version) is, when it names a file in `dataDir` (a recording it writes, an upload it reads) and its
 * parent is no longer a Node process; one whose parent is Node belongs to a running server.
 */
export function isOrphanedFfmpeg(proc: ProcessInfo, dataDir: string): boolean {
  if (proc.starterRunning !== undefined && isFfmpeg(proc)) return !proc.starterRunning;
  return proc.parentName !== 'node' && isFfmpegUsing(proc, dataDir);
}

function isFfmpeg(proc: ProcessInfo): boolean {
  const [command] = proc.argv;
  return command !== undefined && path.basename(command) === 'ffmpeg';
}

/** Whether `proc` is an ffmpeg naming a file inside `dir` in its arguments. */
export function isFfmpegUsing(proc: ProcessInfo, dir: string): boolean {
  if (!isFfmpeg(proc)) return false;
  const args = proc.argv.slice(1);
  const inside = path.resolve(dir) + path.sep;
  return args.some((arg) => path.isAbsolute(arg) && path.resolve(arg).startsWith(inside));
}

/**
 * Kills (SIGKILL) every ffmpeg a dead server left running (see {@link isOrphanedFfmpeg}), so that it
 * cannot go on writing into a recording this server is about to recover and continue, nor sending RTP
 * (a demo, a file broadcast, an RTMP ingest) to ports this server may reuse. Runs before the server
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
    const starter = await startedBy(procDir, pid);
    const starterRunning = starter === undefined ? undefined : await isRunning(procDir, starter);
    return { pid, argv, parentName, starterRunning };
  } catch {
    return undefined;
  }
}

/** The {@link STARTED_BY_ENV} mark in a process's environment (readable for this user's processes only). */
async function startedBy(procDir: string, pid: number): Promise<number | undefined> {
  const environ = await fs.readFile(path.join(procDir, String(pid), 'environ'), 'utf8').catch(() => '');
  const mark = environ.split('\0').find((entry) => entry.startsWith(`${STARTED_BY_ENV}=`));
  const value = Number(mark?.slice(STARTED_BY_ENV.length + 1));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Whether a process runs (exists and is not a zombie). */
function isRunning(procDir: string, pid: number): Promise<boolean> {
  return fs.readFile(path.join(procDir, String(pid), 'stat'), 'utf8').then((stat) => !/\) Z /.test(stat), () => false);
}
