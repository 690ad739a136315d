import type { Logger } from './logger';

/** What the process does after an error nobody caught: keep serving, or stop and let it be restarted. */
export type FaultVerdict = 'continue' | 'exit';

/**
 * A rejected promise nobody awaited leaves no half-run code behind: log it and keep every live event
 * going. An uncaught exception may have cut any code short (Node's docs: the process is in an undefined
 * state), so the server stops, as cleanly as it still can, to be restarted by its service manager —
 * except when it is a child process's failure to start or be signalled: that error is emitted on its
 * own tick with nothing after it, so there is nothing half-done and no reason to end every event.
 */
export function faultVerdict(kind: 'uncaughtException' | 'unhandledRejection', error: unknown): FaultVerdict {
  if (kind === 'unhandledRejection') return 'continue';
  const syscall = (error as { syscall?: unknown } | null)?.syscall;
  return typeof syscall === 'string' && /^(spawn|kill)\b/.test(syscall) ? 'continue' : 'exit';
}

/** How long a stop after an uncaught exception may take before the process exits regardless. */
const FATAL_STOP_MS = 10_000;

/**
 * The process's last resort: installs the handlers for errors nobody caught. `stop` closes the server;
 * after a fatal error the process exits with 1 once it has, or after FATAL_STOP_MS if it hangs.
 */
export function handleProcessFaults(logger: Logger, stop: (reason: string) => Promise<void>): void {
  for (const kind of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(kind, (error: unknown) => {
      if (faultVerdict(kind, error) === 'continue') {
        logger.error({ err: error }, `${kind}: logged, still serving`);
        return;
      }
      logger.fatal({ err: error }, `${kind}: stopping the server`);
      process.exitCode = 1;
      setTimeout(() => process.exit(1), FATAL_STOP_MS).unref();
      void stop(kind).catch(() => process.exit(1));
    });
  }
}
