import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger';
import type { PackagerInput } from './PackagerInput';
import { packagerArgs } from './packagerArgs';

export interface PackagerRunEvents {
  /** ffmpeg ended without being asked to: it crashed or could not write. */
  crashed: [code: number | null, signal: NodeJS.Signals | null];
}

/** Written next to a run's output: what the run carried, for composing playlists after the fact. */
export const RUN_DESCRIPTION_FILE = 'run.json';
export interface RunDescription {
  hasVideo: boolean;
  hasAudio: boolean;
  startedAt: string;
}

/** How long ffmpeg gets to finish its last segment when stopped before it is killed. */
const STOP_GRACE_MS = 5_000;

/** One ffmpeg process writing one run directory. */
export class PackagerRun extends EventEmitter<PackagerRunEvents> {
  readonly number: number;
  readonly #process: ChildProcess;
  readonly #exited: Promise<void>;
  #stopping = false;
  #stderr = '';

  private constructor(number: number, child: ChildProcess, logger: Logger) {
    super();
    this.number = number;
    this.#process = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-2000);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.#stopping) {
          logger.error({ code, signal, run: number, stderr: this.#stderr }, 'packager ffmpeg exited unexpectedly');
          this.emit('crashed', code, signal);
        }
        resolve();
      });
    });
  }

  static async start(
    number: number,
    input: PackagerInput,
    recordingDir: string,
    posterFile: string,
    logger: Logger,
  ): Promise<PackagerRun> {
    const runDir = path.join(recordingDir, 'runs', String(number));
    await fs.mkdir(runDir, { recursive: true });
    const sdpFile = path.join(runDir, 'input.sdp');
    await fs.writeFile(sdpFile, input.sdp);
    const description: RunDescription = { hasVideo: input.hasVideo, hasAudio: input.hasAudio, startedAt: new Date().toISOString() };
    await fs.writeFile(path.join(runDir, RUN_DESCRIPTION_FILE), JSON.stringify(description));
    const args = packagerArgs({ sdpFile, runDir, posterFile, hasVideo: input.hasVideo, hasAudio: input.hasAudio });
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const run = new PackagerRun(number, child, logger);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return run;
  }

  /** The end of what ffmpeg complained about, for logs. */
  get stderr(): string {
    return this.#stderr;
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** SIGINT lets ffmpeg close its last segment and playlist cleanly. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#exited;
    this.#stopping = true;
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      this.#process.kill('SIGINT');
      const timer = setTimeout(() => this.#process.kill('SIGKILL'), STOP_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}
