import { loadConfig } from './config';
import { FfmpegProcess } from './ffmpeg/FfmpegProcess';
import { JalsaServer } from './JalsaServer';
import { createLogger, type Logger } from './logger';
import { handleProcessFaults } from './processFaults';

/** Something that runs beside the server (the demo broadcast) and stops before it. */
export interface Companion {
  close(): Promise<void>;
}

/**
 * Starts the server from the environment, prints how to reach it, and shuts down cleanly on SIGINT
 * and SIGTERM. `companion` runs after start-up (e.g. the demo broadcast).
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
    `\n  Jalsa is running at ${server.url}\n` +
      `  Studio:        ${server.url}/studio\n` +
      `  Organizer key: ${server.instanceKey}\n` +
      `  (keep the key secret: it creates events and runs any of them)\n\n`,
  );
  const running = await companion?.(server, logger);

  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    await running?.close();
    await server.close();
    process.exit();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  handleProcessFaults(logger, stop);
  // Whatever way the process ends, no ffmpeg outlives it writing into a recording.
  process.once('exit', () => FfmpegProcess.killAll());
}
