import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Slug } from '../../shared/events';
import { loadConfig } from '../config';
import { toPublic } from '../events/EventService';
import { EventStore } from '../events/EventStore';
import { recordingsDirIn } from '../hls/HlsService';
import { createLogger } from '../logger';
import { MirrorPusher } from '../mirror/MirrorPusher';
import { openTarget } from '../mirror/MirrorTarget';
import { openDatabase } from '../storage/openDatabase';

const USAGE = `usage: npm run mirror -- --event <slug> --to <directory | http(s)://host/base>
  Pushes the event's live playlists and segments (and the finished recording) to a static mirror as
  they are written, from this machine's DATA_DIR, with the watch page (the built client, once) and the
  event's description, so that the mirror serves /e/<slug> itself. An HTTP target takes PUT (nginx with
  WebDAV, admitting this machine's address). List the mirror's base in the event's studio.
`;

/**
 * `npm run mirror`: one event to one target, until the recording is final and all on the target
 * (or Ctrl-C). It reads the same environment as the server (DATA_DIR).
 */
async function main(argv: string[]): Promise<number> {
  let values: { event?: string; to?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { event: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const slug = Slug.safeParse(values.event);
  if (values.help || !slug.success || !values.to) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ module: 'mirror', event: slug.data });
  const target = openTarget(values.to);
  // The server's own database (WAL: reading it here never blocks the server's writes).
  const events = new EventStore(openDatabase(config.dataDir));
  const describeEvent = () => {
    const event = events.find(slug.data);
    return event && event.deletedAt === null ? toPublic(event) : undefined;
  };
  // Without a build the recording is still mirrored: players on the origin's page fail over to it.
  const built = fs.existsSync(path.join(config.clientDir, 'index.html'));
  if (!built) logger.warn({ clientDir: config.clientDir }, 'no built client (npm run build:client): the mirror will serve no watch page');
  const pusher = new MirrorPusher(path.join(recordingsDirIn(config.dataDir), slug.data), slug.data, target, {
    describeEvent,
    ...(built && { clientDir: config.clientDir }),
  });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  logger.info({ target: target.description }, 'mirroring');
  await pusher.run(logger, stop.signal);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
