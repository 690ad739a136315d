import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../shared/chat';
import { ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { startRedis, type TestRedis } from '../../../helpers/redisServer';
import { createEventOn, freeTcpPort, startServerProcess, type ServerProcess } from '../../../helpers/serverProcess';

/**
 * Two real server processes configured for a Redis that is not running when they start: both start,
 * chat refuses messages clearly as unavailable (so a client's outbox sends them again), and once Redis
 * comes up on that address chat is shared across the processes, without a restart and without losing
 * a message that was accepted.
 */
const organizerKey = randomToken(32);
const servers: ServerProcess[] = [];
let redis: TestRedis | undefined;
afterAll(async () => {
  ChatTestClient.closeAll();
  await Promise.all(servers.map((s) => s.stop()));
  await redis?.close();
});

/** A client's outbox: the same message (same client id) again until the server accepts it. */
async function sendUntilAccepted(client: ChatTestClient, clientId: string, text: string): Promise<{ id: number }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ack = await client.request<{ id: number }>('send', { clientId, name: 'Farah', text });
    if (ack.ok) return ack.data;
    expect(ack.error.code).toBe('UNAVAILABLE');
    if (Date.now() > deadline) throw new Error(`"${text}" never accepted`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('chat when Redis is down at boot', () => {
  it('starts, refuses messages as unavailable, and shares chat across processes once Redis comes up, losing nothing accepted', async () => {
    const port = await freeTcpPort();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-redis-outage-'));
    const env = { DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${port}`, ORGANIZER_KEY: organizerKey, SERVE_CLIENT: 'false', CHAT_NEW_CHATTER_WAIT_SECONDS: '0' };
    // One after the other: the first creates the database the second opens.
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { slug } = await createEventOn(a, organizerKey, 'Rally without Redis');

    const onA = await ChatTestClient.open(a.url);
    const onB = await ChatTestClient.open(b.url);
    await onA.join(slug);
    await onB.join(slug);
    const refused = await onA.request('send', { clientId: randomToken(9), name: 'Farah', text: 'too early' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/unavailable/) } });

    // Sent during the outage and retried by its outbox while Redis comes up.
    const pending = sendUntilAccepted(onA, randomToken(9), 'sent while Redis was down');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    redis = await startRedis({ own: true, port });
    const accepted = [await pending];
    await onB.waitForMessage('sent while Redis was down');
    accepted.push(await sendUntilAccepted(onB, randomToken(9), 'from B after'));
    await onA.waitForMessage('from B after');

    // Both processes hold every accepted message exactly once.
    for (const server of [a, b]) {
      const late = await ChatTestClient.open(server.url);
      const messages = (await late.join(slug)).entries.filter((e): e is ChatMessage => e.kind === 'message');
      expect(messages.map((m) => m.id)).toEqual(accepted.map((m) => m.id));
    }
  });
});
