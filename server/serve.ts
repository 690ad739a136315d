import { loadConfig } from './config';
import { FfmpegProcess } from './ffmpeg/FfmpegProcess';
import { JalsaServer } from './JalsaServer';
import { createLogger, type Logger } from './logger';
import { handleProcessFaults } from './processFaults';
import { Shutdown } from './shutdown';

/** Something that runs beside the server (the demo broadcast) and stops before it. */
export interface Companion {
  close(): Promise<void>;
}

/**
 * Starts the server from the environment, prints how to reach it, and shuts down cleanly on SIGINT
 * and SIGTERM (within SHUTDOWN_TIMEOUT_MS; a second signal exits at once). `companion` runs after
 * start-up (e.g. the demo broadcast).
 */
export async function serve(
  companion?: (server: JalsaServer, logger: Logger) => Promise<Companion>,
): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await JalsaServer.start(config, logger);
  logger.info({ url: server.url, workers: server.workers.size, dataDir: config.dataDir }, 'Jalsa is running');
  // Printed plainly (not only as a log line) because a person starting the server needs to read it.
  process.stdout.write(
    `\n  Jalsa is running at ${server.url}\n` + `  Studio:        ${server.url}/studio\n` + instanceKeyNotice(server) + '\n',
  );
  const running = await companion?.(server, logger);

  const shutdown = new Shutdown(
    async () => {
      // Signalled with the whole process group (Ctrl-C, a service manager's stop), the mediasoup
      // workers are dying too: a stopping server must not start new ones.
      server.workers.retire();
      await running?.close();
      await server.close();
    },
    { timeoutMs: config.shutdownTimeoutMs, logger, exit: (code) => process.exit(code) },
  );
  process.on('SIGINT', () => shutdown.signal('SIGINT'));
  process.on('SIGTERM', () => shutdown.signal('SIGTERM'));
  handleProcessFaults(logger, (reason) => shutdown.stop(reason));
  // Whatever way the process ends, no ffmpeg outlives it writing into a recording.
  process.once('exit', () => FfmpegProcess.killAll());
}

/**
 * The instance key is printed once, by the start that made it: output that is kept (service logs,
 * terminal scrollback, CI) must not carry it on every start. `npm run key:show` shows it again.
 */
function instanceKeyNotice(server: JalsaServer): string {
  switch (server.instanceKeyOrigin) {
    case 'created':
      return (
        `  Organizer key: ${server.instanceKey}\n` +
        `  (made now and shown this once; keep it secret: it creates events and runs any of them.\n` +
        `   \`npm run key:show\` shows it again, \`npm run key:rotate\` replaces it)\n`
      );
    case 'stored':
      return `  Organizer key: run \`npm run key:show\` to see it\n`;
    case 'configured':
      return `  Organizer key: as set in ORGANIZER_KEY\n`;
  }
}
