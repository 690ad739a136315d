import { loadConfig } from './config';
import { JalsaServer } from './JalsaServer';
import { createLogger } from './logger';

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

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await server.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
