import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFiles } from '../../../../shared/recordingLayout';
import { startServerProcess, type ServerProcess } from '../../../helpers/serverProcess';
import { SignallingClient } from '../../../helpers/SignallingClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

const CLUSTER_KEY = 'test-cluster-key-0123456789abcdef';
const MIRROR = 'http://mirror.example:8080';

/** A real origin and an edge (its own process) relaying it: what the edge's attendees are steered by. */
describe('content steering on an edge', () => {
  let origin: TestServer;
  let edge: ServerProcess;
  let slug: string;
  let eventKey: string;

  beforeAll(async () => {
    origin = await startTestServer({ CLUSTER_KEY, PIPE_LISTEN_IP: '127.0.0.1' });
    edge = await startServerProcess({ CLUSTER_KEY, PIPE_LISTEN_IP: '127.0.0.1', EDGE_ORIGIN_URL: origin.url });
    ({ slug, eventKey } = await createEvent(origin));
    // A master as the composer writes it: the steering is the server's, no broadcast needed to see it.
    const dir = path.join(origin.server.hls.recordingsDir, slug);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, recordingFiles.liveMaster), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2"\naudio.live.m3u8\n');
    await setPriority(['eu-1', 'origin']);
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await origin?.close();
  });

  async function setPriority(priority: string[]): Promise<void> {
    const response = await fetch(`${origin.url}/api/events/${slug}/mirrors`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${eventKey}` },
      body: JSON.stringify({ mirrors: [{ id: 'eu-1', baseUrl: MIRROR }], priority }),
    });
    expect(response.status).toBe(200);
  }
  const edgeSteering = async () => (await fetch(`${edge.url}/api/events/${slug}/steering`)).json() as Promise<Record<string, unknown>>;

  it('serves the origin’s masters steered: the edge (relative URIs) and each mirror as pathways, steering asked of the edge', async () => {
    const master = await (await fetch(`${edge.url}/hls/${slug}/${recordingFiles.liveMaster}`)).text();
    expect(master).toContain(`#EXT-X-CONTENT-STEERING:SERVER-URI="/api/events/${slug}/steering",PATHWAY-ID="eu-1"`);
    expect(master).toContain('PATHWAY-ID="origin"\naudio.live.m3u8\n');
    expect(master).toContain(`PATHWAY-ID="eu-1"\n${MIRROR}/hls/${slug}/audio.live.m3u8\n`);
  });

  it('steers its attendees as the origin does, itself in the origin’s place, and follows a changed priority', async () => {
    expect(await edgeSteering()).toMatchObject({
      VERSION: 1,
      'RELOAD-URI': `/api/events/${slug}/steering`,
      'PATHWAY-PRIORITY': ['eu-1', 'origin'],
      'JALSA-PATHWAYS': { origin: '', 'eu-1': MIRROR },
    });
    await setPriority(['origin', 'eu-1']);
    // The edge keeps the origin's answer as long as the origin lets caches keep it (5 s).
    await expect.poll(async () => (await edgeSteering())['PATHWAY-PRIORITY'], { timeout: 12_000, interval: 500 }).toEqual(['origin', 'eu-1']);
  });

  it('answers 404 for an event the origin does not have', async () => {
    expect((await fetch(`${edge.url}/api/events/no-such-event-1234/steering`)).status).toBe(404);
  });

  it('lets the origin’s mirrors into its watch page of the event, once it relays the event', async () => {
    // An attendee's join is what makes the edge copy the event from the origin.
    const attendee = await SignallingClient.connect(edge.url);
    try {
      await attendee.ok('join', { slug });
    } finally {
      attendee.socket.disconnect();
    }
    await edgeSteering();
    const page = await fetch(`${edge.url}/e/${slug}`);
    expect(page.headers.get('content-security-policy')).toMatch(new RegExp(`connect-src 'self' ${new URL(MIRROR).origin.replace(/[.:/]/g, '\\$&')};`));
  });
});
