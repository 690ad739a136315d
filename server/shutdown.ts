import type { Logger } from './logger';

/** Exit codes a service manager can tell apart: a stop that did not finish in time, one cut short. */
export const EXIT_SHUTDOWN_TIMED_OUT = 1;
export const EXIT_FORCED = 130;

export interface ShutdownOptions {
  /** How long the stop may take before the process exits regardless. */
  timeoutMs: number;
  logger: Logger;
  /** `process.exit`, or a fake in unit tests. */
  exit: (code?: number) => void;
}

/**
 * The one stop of the process, whoever asks for it (a signal, a fatal error). The first request runs
 * `close` and exits when it is done, or after `timeoutMs` with a failure code if it hangs: a service
 * manager must never wait on a shutdown. A second signal means the person or supervisor will not wait:
 * the process exits at once (its exit handler still kills any ffmpeg left).
 */
export class Shutdown {
  readonly #close: () => Promise<void>;
  readonly #options: ShutdownOptions;
  #stopping: Promise<void> | undefined;

  constructor(close: () => Promise<void>, options: ShutdownOptions) {
    this.#close = close;
    this.#options = options;
  }

  /** Starts the stop once; later calls get the same promise. For faults, which must not force an exit. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= this.#run(reason);
    return this.#stopping;
  }

  /** A signal: the first one stops, the next one exits now. */
  signal(signal: NodeJS.Signals): void {
    if (!this.#stopping) {
      void this.stop(signal);
      return;
    }
    this.#options.logger.warn({ signal }, 'second signal while shutting down: exiting now');
    this.#options.exit(EXIT_FORCED);
  }

  async #run(reason: string): Promise<void> {
    const { logger, timeoutMs, exit } = this.#options;
    logger.info({ reason, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
      exit(EXIT_SHUTDOWN_TIMED_OUT);
    }, timeoutMs);
    timer.unref();
    let failed = false;
    try {
      await this.#close();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      failed = true;
    } finally {
      clearTimeout(timer);
    }
    // Without a code, a code set earlier (after a fatal error) stands.
    exit(failed ? 1 : undefined);
  }
}
