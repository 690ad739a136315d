import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
}

export interface WorkerPoolEvents {
  /** A worker died and a fresh one took its place; everything that ran on the dead one is gone. */
  workerReplaced: [index: number];
}

/**
 * One mediasoup worker per core. A worker that dies is replaced at once, so the pool keeps its size
 * and rooms can be recreated on the replacement.
 */
export class WorkerPool extends SafeEmitter<WorkerPoolEvents> {
  readonly #workers: (types.Worker | undefined)[];
  readonly #options: WorkerPoolOptions;
  readonly #logger: Logger;
  #next = 0;
  #closed = false;

  private constructor(options: WorkerPoolOptions, logger: Logger) {
    super(logger);
    this.#options = options;
    this.#logger = logger;
    this.#workers = new Array(options.size).fill(undefined);
  }

  static async create(options: WorkerPoolOptions, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(options, logger);
    try {
      await Promise.all(pool.#workers.map((_, index) => pool.#start(index)));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#workers.length;
  }

  get aliveCount(): number {
    return this.alive().length;
  }

  /** Round-robin over the live workers; waits for a replacement when every worker is down. */
  async pick(timeoutMs = 10_000): Promise<types.Worker> {
    for (let tries = 0; tries < this.#workers.length; tries++) {
      const worker = this.#workers[this.#next];
      this.#next = (this.#next + 1) % this.#workers.length;
      if (worker && !worker.closed && !worker.died) return worker;
    }
    if (this.#closed) throw new Error('the worker pool is closed');
    await EventEmitter.once(this, 'workerReplaced', { signal: AbortSignal.timeout(timeoutMs) });
    return this.pick(timeoutMs);
  }

  /** The workers running now. */
  alive(): types.Worker[] {
    return this.#workers.filter((w): w is types.Worker => w !== undefined && !w.closed && !w.died);
  }

  /** For tests and diagnostics: the worker processes' ids. */
  pids(): number[] {
    return this.#workers.flatMap((w) => (w ? [w.pid] : []));
  }

  /**
   * From now on no worker is replaced nor handed out: the server is stopping, and a signal sent to its
   * whole process group kills the workers at the same moment — replacing them would only hold the stop up.
   */
  retire(): void {
    this.#closed = true;
  }

  close(): void {
    this.retire();
    for (const worker of this.#workers) worker?.close();
  }

  async #start(index: number): Promise<void> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.#options.rtcMinPort,
      rtcMaxPort: this.#options.rtcMaxPort,
      appData: { index },
    });
    // Retired while this one was starting: nobody would ever close it.
    if (this.#closed) {
      worker.close();
      throw new Error('the worker pool is closed');
    }
    this.#workers[index] = worker;
    worker.on('died', (error) => {
      if (this.#closed) {
        this.#logger.info({ pid: worker.pid, index }, 'mediasoup worker ended while the server stops');
        return;
      }
      this.#logger.error({ err: error, pid: worker.pid, index }, 'mediasoup worker died');
      void this.#replace(index);
    });
  }

  async #replace(index: number): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#start(index);
      this.#logger.info({ index }, 'mediasoup worker replaced');
      this.emit('workerReplaced', index);
    } catch (error) {
      if (this.#closed) return;
      this.#logger.error({ err: error, index }, 'could not replace mediasoup worker; retrying in 1 s');
      setTimeout(() => void this.#replace(index), 1000).unref();
    }
  }
}
