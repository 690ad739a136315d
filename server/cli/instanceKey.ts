import { loadConfig } from '../config';
import { InstanceKey, rotateInstanceKey } from '../events/organizerKeys';

/**
 * `npm run key:show` prints the instance organizer key (made now if no server has started yet);
 * `npm run key:rotate` replaces it: the old key stops working at once, also in running servers sharing
 * the data directory, and organizers connected with it lose their role. Both read the same environment
 * as the server (DATA_DIR, ORGANIZER_KEY).
 */
function main(command: string | undefined): number {
  const config = loadConfig();
  switch (command) {
    case 'show': {
      const key = InstanceKey.open(config.dataDir, config.organizerKey);
      process.stdout.write(`${key.value}\n`);
      return 0;
    }
    case 'rotate':
      if (config.organizerKey) {
        process.stderr.write('ORGANIZER_KEY fixes the instance key: change it there and restart the server.\n');
        return 1;
      }
      process.stdout.write(`${rotateInstanceKey(config.dataDir)}\n`);
      process.stderr.write('The old instance key no longer works: servers on this data directory refuse it from now on.\n');
      return 0;
    default:
      process.stderr.write('usage: instanceKey.ts show | rotate\n');
      return 2;
  }
}

try {
  process.exitCode = main(process.argv[2]);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
