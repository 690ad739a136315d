import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from '../logger';
import { LogBudget } from './LogBudget';
import { STARTED_BY_ENV } from './orphans';

/**
 * Why ffmpeg is no longer running: we `stopped` it, it `exited` by itself with success (its input
 * ran out), it `crashed` (failure code or killed by someone else), or it never started (`spawnFailed`).
 */
export type FfmpegExitReason = 'stopped' | 'exited' | 'crashed' | 'spawnFailed';

export interface FfmpegExit {
  reason: FfmpegExitReason;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FfmpegProcessOptions {
  logger: Logger;
  /** How long ffmpeg gets after SIGINT to finish what it writes (a segment, a playlist) before SIGKILL. */
  stopGraceMs?: number;
  /** For tests: another program in ffmpeg's place. */
  command?: string;
  /** Piped into ffmpeg's stdin (read as `pipe:0`): a live stream arriving in this process, e.g. over RTMP. */
  stdin?: Readable;
}

export class FfmpegSpawnError extends Error {
  readonly reason = 'spawnFailed' as const;

  constructor(command: string, cause: unknown) {
    super(`cannot start ${command}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'FfmpegSpawnError';
  }
}

const DEFAULT_STOP_GRACE_MS = 5_000;
/** Enough of ffmpeg's last words to say why it failed, never the whole of a long run's complaints. */
const STDERR_TAIL_CHARS = 2_000;
/** Crashes logged per minute by this Node process, whichever part of the server ran the ffmpeg. */
const CRASH_LOGS_PER_MINUTE = 10;

/**
 * One ffmpeg process: started (a failure to spawn rejects, never an uncaught 'error'), its stderr kept
 * as a bounded tail, stopped with SIGINT so it can close its files cleanly, then SIGKILL after a grace.
 */
export class FfmpegProcess {
  /** Every ffmpeg of this Node process still running, whichever part of the server started it. */
  static readonly #running = new Set<FfmpegProcess>();
  static readonly #crashLogs = new LogBudget(CRASH_LOGS_PER_MINUTE, 60_000);
  /** Resolves once, when the process has ended for whatever reason; never rejects. */
  readonly exited: Promise<FfmpegExit>;
  readonly #child: ChildProcess;
  readonly #stopGraceMs: number;
  #stderr = '';
  #spawned = false;
  #stopRequested = false;

  private constructor(child: ChildProcess, options: FfmpegProcessOptions) {
    this.#child = child;
    this.#stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    FfmpegProcess.#running.add(this);
    const { logger } = options;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      child.once('spawn', () => (this.#spawned = true));
      child.on('error', (error) => {
        // After a successful spawn this is a failed kill(); the 'exit' still decides the outcome.
        if (this.#spawned) logger.warn({ err: error, pid: child.pid }, 'ffmpeg signal failed');
        else resolve({ reason: 'spawnFailed', code: null, signal: null });
      });
      child.once('exit', (code, signal) => {
        const reason: FfmpegExitReason = this.#stopRequested ? 'stopped' : code === 0 ? 'exited' : 'crashed';
        const budget = reason === 'crashed' ? FfmpegProcess.#crashLogs.take() : undefined;
        if (budget) {
          const notLogged = budget.notLogged > 0 ? { notLogged: budget.notLogged } : {};
          logger.error({ code, signal, stderr: this.#stderr, ...notLogged }, 'ffmpeg exited unexpectedly');
        }
        resolve({ reason, code, signal });
      });
    });
    void this.exited.then(() => FfmpegProcess.#running.delete(this));
  }

  /**
   * SIGKILLs every ffmpeg still running, synchronously: for a process about to exit without closing the
   * server (a fatal error), so that no ffmpeg outlives it writing into a recording.
   */
  static killAll(): void {
    for (const ffmpeg of FfmpegProcess.#running) ffmpeg.#child.kill('SIGKILL');
  }

  static async start(args: string[], options: FfmpegProcessOptions): Promise<FfmpegProcess> {
    const command = options.command ?? 'ffmpeg';
    const child = spawn(command, args, {
      stdio: [options.stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'],
      // Marked as this server's: should the server die, the next one on the machine kills it (see orphans).
      env: { ...process.env, [STARTED_BY_ENV]: String(process.pid) },
    });
    const ffmpeg = new FfmpegProcess(child, options);
    if (options.stdin && child.stdin) {
      // ffmpeg exiting first makes writes fail (EPIPE): its exit is reported, the write error is not news.
      child.stdin.on('error', () => {});
      options.stdin.pipe(child.stdin);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new FfmpegSpawnError(command, error)));
    });
    return ffmpeg;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The end of what ffmpeg wrote to stderr. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Asks ffmpeg to finish (SIGINT), kills it if it has not after the grace; every call gets the same exit. */
  stop(): Promise<FfmpegExit> {
    if (this.#stopRequested) return this.exited;
    this.#stopRequested = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGINT');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), this.#stopGraceMs);
      void this.exited.then(() => clearTimeout(timer));
    }
    return this.exited;
  }
}
