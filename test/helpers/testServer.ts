import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { JalsaServer } from '../../server/JalsaServer';
import { createLogger } from '../../server/logger';
import { FfmpegPublisher } from '../../server/sfu/FfmpegPublisher';
import { speechTrack } from '../../server/sfu/speechTrack';
import { testPatternSource } from '../../server/sfu/testPatternSource';

export interface TestServer {
  server: JalsaServer;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A real server on a free loopback port with its own data directory; ICE on loopback only. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-test-')));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MEDIASOUP_WORKERS: '1',
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests of everything else chat at once; the newcomer's wait has tests of its own.
    CHAT_NEW_CHATTER_WAIT_SECONDS: '0',
    // In-process, the loop's delay is also the test's own work on a loaded machine; shedding has tests of its own.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    ...env,
    DATA_DIR: dataDir,
  });
  const server = await JalsaServer.start(config, createLogger(config.logLevel));
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    dataDir,
    close: () => server.close(),
  };
}

/** Creates an event through the REST API, as an organizer would. */
export async function createEvent(
  test: TestServer,
  title = 'Test rally',
): Promise<{ slug: string; eventKey: string }> {
  const response = await fetch(`${test.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${test.server.instanceKey}` },
    body: JSON.stringify({ title }),
  });
  if (response.status !== 201) throw new Error(`creating an event failed: ${response.status}`);
  const body = (await response.json()) as { event: { slug: string }; organizerKey: string };
  return { slug: body.event.slug, eventKey: body.organizerKey };
}

/** Takes an event live with the synthetic test pattern (speaking, see speechTrack) published into its room, as an organizer would. */
export async function publishTestPattern(
  test: TestServer,
  slug: string,
  pattern: Parameters<typeof testPatternSource>[0] = { width: 640, height: 360 },
): Promise<FfmpegPublisher> {
  if (test.server.events.get(slug).status === 'scheduled') test.server.events.goLive(slug);
  const logger = createLogger('silent');
  const speech = await speechTrack(logger);
  return FfmpegPublisher.start(await test.server.rooms.getOrCreate(slug), testPatternSource({ speech, ...pattern }), logger);
}
