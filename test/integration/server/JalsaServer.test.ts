import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/browser';
import { createEvent, startTestServer, type TestServer } from '../../helpers/testServer';

const running: TestServer[] = [];
async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  running.push(server);
  return server;
}
afterEach(async () => {
  for (const server of running.splice(0)) await server.close().catch(() => undefined);
});

describe('JalsaServer', () => {
  it('reports readiness of the database, media workers, storage and packagers at /healthz', async () => {
    const test = await start();
    const response = await fetch(`${test.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { database: true, mediaWorkers: true, storage: true, packager: true },
    });
  });

  it('is not ready while recordings cannot be written', async () => {
    const test = await start();
    const recordings = test.server.hls.recordingsDir;
    // Something else where the recordings go: as root, permissions cannot make a directory unwritable.
    await fs.promises.rm(recordings, { recursive: true, force: true });
    await fs.promises.writeFile(recordings, 'in the way');
    const response = await fetch(`${test.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unavailable', checks: { storage: false, database: true } });
    await fs.promises.rm(recordings);
    // A failed probe is repeated a second later, not on every request.
    await waitFor(() => fetch(`${test.url}/healthz`).then((r) => r.status), (status) => status === 200, 5_000);
  });

  it('is not ready while a live event’s recorder has failed, and ready again once the event ends', async () => {
    const test = await start();
    const { slug } = await createEvent(test, 'Unrecordable rally');
    await fs.promises.mkdir(test.server.hls.recordingsDir, { recursive: true });
    await fs.promises.writeFile(test.server.hls.recordingDir(slug), 'in the way');
    test.server.events.goLive(slug);
    await test.server.rooms.getOrCreate(slug);
    const health = async () => (await fetch(`${test.url}/healthz`)).json() as Promise<{ checks: Record<string, boolean> }>;
    const failed = await waitFor(health, (h) => !h.checks.packager, 10_000);
    expect(failed.checks).toMatchObject({ packager: false, storage: true });
    test.server.events.end(slug);
    expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
  });

  it('keeps events, their status and their keys across a restart', async () => {
    const first = await start();
    const { slug, eventKey } = await createEvent(first, 'Persistent rally');
    first.server.events.goLive(slug);
    const instanceKey = first.server.instanceKey;
    await first.close();
    running.pop();

    const second = await start({ DATA_DIR: first.dataDir });
    expect(second.server.instanceKey).toBe(instanceKey);
    const event = (await (await fetch(`${second.url}/api/events/${slug}`)).json()) as Record<string, unknown>;
    expect(event).toMatchObject({ slug, title: 'Persistent rally', status: 'live' });
    expect(second.server.events.isOrganizer(slug, eventKey)).toBe(true);
  });

  it('stores the generated instance key readable by the server user only', async () => {
    const test = await start();
    const stat = fs.statSync(path.join(test.dataDir, 'organizer.key'));
    expect(stat.mode & 0o077).toBe(0);
  });

  it('creates events only with the instance organizer key', async () => {
    const test = await start();
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${test.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({}, { title: 'x' })).status).toBe(401);
    const { eventKey } = await createEvent(test);
    expect((await post({ authorization: `Bearer ${eventKey}` }, { title: 'x' })).status).toBe(401);
    const auth = { authorization: `Bearer ${test.server.instanceKey}` };
    const invalid = await post(auth, { title: '' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await post(auth, { title: 'Fine' })).status).toBe(201);
  });

  it('answers malformed JSON, oversized bodies and unknown routes with clear errors', async () => {
    const test = await start();
    const malformed = await fetch(`${test.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${test.server.instanceKey}` },
      body: '{"title":',
    });
    expect(malformed.status).toBe(400);
    const oversized = await fetch(`${test.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${test.server.instanceKey}` },
      body: JSON.stringify({ title: 'x'.repeat(100_000) }),
    });
    expect(oversized.status).toBe(400);
    expect((await fetch(`${test.url}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${test.url}/api/events/..%2f..%2fetc`)).status).toBe(400);
    expect((await fetch(`${test.url}/api/events/no-such-event`)).status).toBe(404);
  });

  it('validates a studio key for the instance or for one event', async () => {
    const test = await start();
    const { slug, eventKey } = await createEvent(test);
    const check = (key: string, body: unknown) =>
      fetch(`${test.url}/api/auth/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
    expect((await check(test.server.instanceKey!, {})).status).toBe(204);
    expect((await check(eventKey, { slug })).status).toBe(204);
    expect((await check(eventKey, {})).status).toBe(401);
    expect((await check('y'.repeat(43), { slug })).status).toBe(401);
  });
});
