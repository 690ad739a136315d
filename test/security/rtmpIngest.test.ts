import fs from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rtmpStreamKey } from '../../shared/rtmp';
import { randomToken } from '../helpers/ChatTestClient';
import { startRtmpEncoder, type RtmpEncoder } from '../helpers/rtmpEncoder';
import { childProcesses, createEventOn, freeTcpPort, organizerApi, startServerProcess, type ServerProcess } from '../helpers/serverProcess';

const ORGANIZER_KEY = randomToken(24);
const CONNECT_TIMEOUT_MS = 1_000;
let server: ServerProcess;
let rtmpPort: number;
const encoders: RtmpEncoder[] = [];

const api = (route: string, init?: RequestInit) => organizerApi(server, ORGANIZER_KEY)(route, init);
const eventStatus = async (slug: string) => ((await (await api(`/events/${slug}`)).json()) as { status: string }).status;
const ingestState = async (slug: string, key = ORGANIZER_KEY) =>
  ((await (await organizerApi(server, key)(`/events/${slug}/rtmp`)).json()) as { status: { state: string } | null }).status?.state ?? null;
const encoder = async (streamKey: string) => {
  const started = await startRtmpEncoder(`rtmp://127.0.0.1:${rtmpPort}/live/${streamKey}`);
  encoders.push(started);
  return started;
};

/** Connects, sends `bytes` (nothing when undefined), and resolves with how long the server took to close the connection. */
function closedAfter(bytes: Buffer | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(rtmpPort, '127.0.0.1', () => {
      if (bytes) socket.write(bytes);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => resolve(Date.now() - started));
    setTimeout(() => reject(new Error('the server kept the connection open')), 10_000).unref();
  });
}

/** The RTMP handshake done right (C0, C1, then C2 echoing S1), followed by `after`. */
function afterHandshake(after: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = Buffer.alloc(0);
    const socket = net.connect(rtmpPort, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536)])));
    socket.on('data', (bytes: Buffer) => {
      const before = received.length;
      received = Buffer.concat([received, bytes]);
      if (before < 1 + 2 * 1536 && received.length >= 1 + 2 * 1536) socket.write(Buffer.concat([received.subarray(1, 1537), after]));
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(Date.now() - started));
    setTimeout(() => reject(new Error('the server kept the connection open')), 10_000).unref();
  });
}

beforeAll(async () => {
  rtmpPort = await freeTcpPort();
  server = await startServerProcess({
    ORGANIZER_KEY,
    RTMP_ENABLED: 'true',
    RTMP_PORT: String(rtmpPort),
    RTMP_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    // Everything the server says, to find any key in it.
    LOG_LEVEL: 'debug',
  });
});

afterAll(async () => {
  await Promise.all(encoders.map((e) => e.close()));
  await server?.stop();
});

describe('RTMP ingest against hostile and mistaken encoders', () => {
  it('refuses a wrong stream key, and another event’s key, before anything happens: the event stays as it was and no key is logged', async () => {
    const { slug } = await createEventOn(server, ORGANIZER_KEY, 'Guarded rally');
    const other = await createEventOn(server, ORGANIZER_KEY, 'Other rally');
    const wrongKey = randomToken(32);
    const attempts = [rtmpStreamKey(slug, wrongKey), rtmpStreamKey(slug, other.eventKey), 'not-a-stream-key', ''];
    for (const streamKey of attempts) {
      const refused = await encoder(streamKey);
      expect(await refused.exited).not.toBe(0);
    }
    expect(await eventStatus(slug)).toBe('scheduled');
    expect(await ingestState(slug)).toBeNull();
    expect(await childProcesses(server.pid, 'ffmpeg')).toEqual([]);
    const logs = server.stdout();
    expect(logs).toContain('the stream key is not valid');
    expect(logs).not.toContain(wrongKey);
    expect(logs).not.toContain(other.eventKey);
  });

  it('closes garbage, a connection that never sends and a broken chunk stream, each on its own, and goes on taking a real encoder', async () => {
    const closings = await Promise.all([
      // A TLS client hello where RTMP was expected.
      closedAfter(Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), Buffer.alloc(3000, 0x41)])),
      closedAfter(undefined),
      // A chunk continuing a chunk stream that was never started, then a message longer than any keyframe.
      afterHandshake(Buffer.from([0xc0 | 9, 1, 2, 3])),
      afterHandshake(Buffer.from([0x04, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0])),
      // A command that is not AMF0.
      afterHandshake(Buffer.concat([Buffer.from([0x03, 0, 0, 0, 0, 0, 4, 20, 0, 0, 0, 0]), Buffer.from([0x42, 0x42, 0x42, 0x42])])),
    ]);
    // The silent one waited out the connect timeout; nothing waited much longer.
    for (const ms of closings) expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 3_000);

    const { slug, eventKey } = await createEventOn(server, ORGANIZER_KEY, 'Resilient rally');
    await encoder(rtmpStreamKey(slug, eventKey));
    await expect.poll(() => eventStatus(slug)).toBe('live');
    await expect.poll(() => ingestState(slug)).toBe('receiving');
    // ffmpeg reads the stream from a pipe: the key is in no argument of the server's children.
    const ffmpegs = await childProcesses(server.pid, 'ffmpeg');
    expect(ffmpegs.length).toBeGreaterThan(0);
    for (const pid of ffmpegs) expect(await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).not.toContain(eventKey);
    expect(server.stdout()).not.toContain(eventKey);
  });

  it('lets a second encoder for the event replace the first, and drops it when the key is rotated; the event stays live', async () => {
    const { slug, eventKey } = await createEventOn(server, ORGANIZER_KEY, 'Reconnecting rally');
    const first = await encoder(rtmpStreamKey(slug, eventKey));
    await expect.poll(() => ingestState(slug)).toBe('receiving');
    const second = await encoder(rtmpStreamKey(slug, eventKey));
    await first.exited;
    await expect.poll(() => ingestState(slug)).toBe('receiving');

    const rotated = await api(`/events/${slug}/key`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    await second.exited;
    await expect.poll(() => ingestState(slug)).toBe('disconnected');
    expect(await eventStatus(slug)).toBe('live');
    expect(server.stdout()).not.toContain(eventKey);
  });
});
