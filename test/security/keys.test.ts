import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/errors';
import { MEDIA_NAMESPACE } from '../../shared/signalling';
import { ChatTestClient } from '../helpers/ChatTestClient';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess';
import { SignallingClient } from '../helpers/SignallingClient';
import { createEvent, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Leaked organizer keys (issue 11, hole 9), against the real server with real Socket.io clients and
 * HTTP requests: the instance key is printed only when made and shown again by `npm run key:show`;
 * rotating or revoking a key stops the old one at once, for requests and for the connections it
 * admitted, while attendees stay; one event's key never acts on another event.
 */

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '../..');
const media: SignallingClient[] = [];

/** `npm run <script>` as an operator would type it, on the server's data directory. */
async function npmRun(script: string, dataDir: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const { ORGANIZER_KEY: _fixed, ...env } = process.env;
  const { stdout } = await run('npm', ['run', '--silent', script], {
    cwd: projectRoot,
    env: { ...env, DATA_DIR: dataDir, ...extraEnv },
  });
  return stdout.trim();
}

async function mediaClient(url: string): Promise<SignallingClient> {
  const client = await SignallingClient.connect(url, MEDIA_NAMESPACE, { forceNew: true });
  media.push(client);
  return client;
}

/** Resolves with the reason once the server disconnects `socket`; rejects if it does not in time. */
function disconnection(socket: Socket, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

function api(url: string, key: string, route: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}/api${route}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  });
}

const createEventWith = (url: string, key: string) =>
  api(url, key, '/events', { method: 'POST', body: JSON.stringify({ title: 'Rally' }) });

function refusal(ack: Ack<unknown>): string | undefined {
  return ack.ok ? undefined : ack.error.code;
}

afterEach(() => {
  for (const client of media.splice(0)) client.close();
  ChatTestClient.closeAll();
});

describe('the instance key', () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('is printed by the start that made it only; key:show prints it again, key:rotate stops the old one at once', async () => {
    server = await startServerProcess({});
    const { dataDir } = server;
    const key = (await fs.readFile(path.join(dataDir, 'organizer.key'), 'utf8')).trim();
    expect(server.stdout()).toContain(`Organizer key: ${key}`);
    await server.stop();

    server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'debug' });
    expect(server.stdout()).toMatch(/Jalsa is running[\s\S]*npm run key:show/);
    expect(server.stdout()).not.toContain(key);
    expect(await npmRun('key:show', dataDir)).toBe(key);

    // An organizer on both namespaces, admitted with the instance key, and an attendee beside it.
    const created = await createEventWith(server.url, key);
    const { event } = (await created.json()) as { event: { slug: string } };
    const organizer = await mediaClient(server.url);
    expect(await organizer.ok('join', { slug: event.slug, key })).toMatchObject({ role: 'organizer' });
    const chatOrganizer = await ChatTestClient.open(server.url);
    expect(await chatOrganizer.join(event.slug, { key })).toMatchObject({ role: 'organizer' });
    const attendee = await mediaClient(server.url);
    await attendee.ok('join', { slug: event.slug });
    // Their clocks include `npm run key:rotate` itself: seconds of npm and tsx starting on a loaded machine.
    const mediaDropped = disconnection(organizer.socket, 30_000);
    const chatDropped = disconnection(chatOrganizer.socket, 30_000);

    const rotated = await npmRun('key:rotate', dataDir);
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(key);
    expect((await createEventWith(server.url, key)).status).toBe(401);
    expect(await mediaDropped).toBe('io server disconnect');
    expect(await chatDropped).toBe('io server disconnect');
    const again = await mediaClient(server.url);
    expect(refusal(await again.request('join', { slug: event.slug, key }))).toBe('UNAUTHORIZED');
    const chatAgain = await ChatTestClient.open(server.url);
    expect(refusal(await chatAgain.request('join', { slug: event.slug, clientKey: chatAgain.clientKey, key }))).toBe('UNAUTHORIZED');

    expect((await createEventWith(server.url, rotated)).status).toBe(201);
    expect(await npmRun('key:show', dataDir)).toBe(rotated);
    // A key fixed by ORGANIZER_KEY is changed where it is set, not behind the operator's back.
    await expect(npmRun('key:rotate', dataDir, { ORGANIZER_KEY: rotated })).rejects.toThrow(/ORGANIZER_KEY fixes the instance key/);
    expect(await npmRun('key:show', dataDir)).toBe(rotated);
    expect(attendee.socket.connected).toBe(true);
    // Neither key ever reached the log (at debug level), only the first start's greeting.
    const output = server.stdout();
    expect(output).not.toContain(key);
    expect(output).not.toContain(rotated);
  });
});

describe('an event’s key', () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer();
  });
  afterAll(async () => {
    await test.close();
  });

  const rotate = (slug: string, key: string) => api(test.url, key, `/events/${slug}/key`, { method: 'POST' });
  const revoke = (slug: string, key: string) => api(test.url, key, `/events/${slug}/key`, { method: 'DELETE' });
  const check = (slug: string, key: string) =>
    api(test.url, key, '/auth/check', { method: 'POST', body: JSON.stringify({ slug }) });

  it('rotated: a new key returned once, the old one refused on REST, its /media and /chat organizers disconnected', async () => {
    const { slug, eventKey } = await createEvent(test);
    const organizer = await mediaClient(test.url);
    await organizer.ok('join', { slug, key: eventKey });
    await organizer.ok('goLive', {});
    const chatOrganizer = await ChatTestClient.open(test.url);
    await chatOrganizer.join(slug, { key: eventKey });
    await chatOrganizer.ok('pin', { text: 'Welcome' });
    const watcher = await mediaClient(test.url);
    await watcher.ok('join', { slug });
    const chatter = await ChatTestClient.open(test.url);
    await chatter.join(slug);
    const dropped = [disconnection(organizer.socket), disconnection(chatOrganizer.socket)];

    const response = await rotate(slug, eventKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { organizerKey } = (await response.json()) as { organizerKey: string };
    expect(organizerKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await Promise.all(dropped)).toEqual(['io server disconnect', 'io server disconnect']);

    expect((await check(slug, eventKey)).status).toBe(401);
    expect((await rotate(slug, eventKey)).status).toBe(401);
    expect((await api(test.url, eventKey, `/events/${slug}/file-broadcast`, { method: 'DELETE' })).status).toBe(401);
    const stale = await mediaClient(test.url);
    expect(refusal(await stale.request('join', { slug, key: eventKey }))).toBe('UNAUTHORIZED');
    const staleChat = await ChatTestClient.open(test.url);
    expect(refusal(await staleChat.request('join', { slug, clientKey: staleChat.clientKey, key: eventKey }))).toBe('UNAUTHORIZED');

    // The holder of the new key runs the event; attendees never noticed.
    expect((await check(slug, organizerKey)).status).toBe(204);
    const renewed = await mediaClient(test.url);
    expect(await renewed.ok('join', { slug, key: organizerKey })).toMatchObject({ role: 'organizer' });
    expect(watcher.socket.connected).toBe(true);
    expect(chatter.socket.connected).toBe(true);
    const newChatOrganizer = await ChatTestClient.open(test.url);
    await newChatOrganizer.join(slug, { key: organizerKey });
    await newChatOrganizer.ok('pin', { text: 'Still here' });
    await chatter.waitFor((entries) => entries.some((e) => e.kind === 'pinned' && e.text === 'Still here'), 'the new pin');
  });

  it('revoked: refused everywhere at once, and the instance key still runs the event', async () => {
    const { slug, eventKey } = await createEvent(test);
    const chatOrganizer = await ChatTestClient.open(test.url);
    await chatOrganizer.join(slug, { key: eventKey });
    const dropped = disconnection(chatOrganizer.socket);

    expect((await revoke(slug, eventKey)).status).toBe(204);
    expect(await dropped).toBe('io server disconnect');
    expect((await check(slug, eventKey)).status).toBe(401);
    expect((await rotate(slug, eventKey)).status).toBe(401);
    expect((await revoke(slug, eventKey)).status).toBe(401);
    const instanceKey = test.server.instanceKey!;
    expect((await check(slug, instanceKey)).status).toBe(204);
    // The instance key's holder can give the event a key again.
    const { organizerKey } = (await (await rotate(slug, instanceKey)).json()) as { organizerKey: string };
    expect((await check(slug, organizerKey)).status).toBe(204);
  });

  it('rotated, revoked or its event deleted on another process sharing the database: this one drops its organizers and tells its attendees within seconds', async () => {
    const other = await startTestServer({ DATA_DIR: test.dataDir });
    try {
      const { slug, eventKey } = await createEvent(test);
      const chatOrganizer = await ChatTestClient.open(other.url);
      await chatOrganizer.join(slug, { key: eventKey });
      const mediaOrganizer = await mediaClient(other.url);
      await mediaOrganizer.ok('join', { slug, key: eventKey });
      const watcher = await mediaClient(other.url);
      await watcher.ok('join', { slug });
      const dropped = [disconnection(chatOrganizer.socket), disconnection(mediaOrganizer.socket)];

      const { organizerKey } = (await (await rotate(slug, eventKey)).json()) as { organizerKey: string };
      expect(await Promise.all(dropped)).toEqual(['io server disconnect', 'io server disconnect']);
      expect(watcher.socket.connected).toBe(true);

      const renewed = await ChatTestClient.open(other.url);
      await renewed.join(slug, { key: organizerKey });
      const revoked = disconnection(renewed.socket);
      expect((await revoke(slug, organizerKey)).status).toBe(204);
      expect(await revoked).toBe('io server disconnect');

      const told = watcher.next('reconnect');
      expect((await api(test.url, test.server.instanceKey!, `/events/${slug}`, { method: 'DELETE' })).status).toBe(204);
      expect(await told).toEqual({ reason: 'eventDeleted' });
    } finally {
      await other.close();
    }
  });

  it('rotated while its organizer was briefly offline: the recovered chat connection is an attendee', async () => {
    const { slug, eventKey } = await createEvent(test);
    const organizer = await ChatTestClient.open(test.url);
    await organizer.join(slug, { key: eventKey });
    // A frame received before the drop: Socket.io recovers a connection from the last frame it had.
    await organizer.ok('send', { clientId: 'message-0', name: 'Host', text: 'welcome' });
    await organizer.waitForMessage('welcome');
    organizer.socket.io.engine.close();
    // Rotated once the server has seen the drop: the connection's state is then kept for its recovery.
    await expect.poll(() => test.server.chat.room(slug).localAttendees).toBe(0);
    expect((await rotate(slug, eventKey)).status).toBe(200);
    const reconnected = new Promise<void>((resolve) => organizer.socket.once('connect', () => resolve()));
    organizer.socket.connect();
    await reconnected;
    expect(organizer.socket.recovered).toBe(true);
    expect(refusal(await organizer.request('pin', { text: 'from a revoked key' }))).toBe('FORBIDDEN');
    expect(refusal(await organizer.request('setSlowMode', { seconds: 30 }))).toBe('FORBIDDEN');
    const sent = await organizer.request('send', { clientId: 'message-1', name: 'Host', text: 'still chatting' });
    expect(sent.ok).toBe(true);
    const entries = await organizer.waitForMessage('still chatting');
    expect(entries.find((e) => e.kind === 'message' && e.text === 'still chatting')).toMatchObject({ role: 'attendee' });
  });

  it('rotated while its organizer was briefly offline: the recovered /media connection hears nothing until it joins', async () => {
    const { slug, eventKey } = await createEvent(test);
    const organizer = await mediaClient(test.url);
    await organizer.ok('join', { slug, key: eventKey });
    // A frame received before the drop: Socket.io recovers a connection from the last frame it had.
    const wentLive = organizer.next('eventUpdated');
    await organizer.ok('goLive', {});
    await wentLive;
    const serverSideId = organizer.socket.id!;
    organizer.socket.io.engine.close();
    await expect.poll(() => test.server.audience.member(serverSideId)).toBeUndefined();
    expect((await rotate(slug, eventKey)).status).toBe(200);
    const reconnected = new Promise<void>((resolve) => organizer.socket.once('connect', () => resolve()));
    organizer.socket.connect();
    await reconnected;
    expect(organizer.socket.recovered).toBe(true);

    const attendee = await mediaClient(test.url);
    await attendee.ok('join', { slug });
    const heardByOrganizer: string[] = [];
    organizer.socket.onAny((name: string) => heardByOrganizer.push(name));
    const ended = attendee.next<{ status: string }>('eventUpdated');
    test.server.events.end(slug);
    expect(await ended).toMatchObject({ status: 'ended' });
    // The attendee heard it; the recovered connection, in no channel any more, did not.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(heardByOrganizer).toEqual([]);
    expect(refusal(await organizer.request('join', { slug, key: eventKey }))).toBe('UNAUTHORIZED');
  });

  it('of event B does not rotate, revoke, moderate or broadcast event A', async () => {
    const a = await createEvent(test);
    const b = await createEvent(test);
    expect((await rotate(a.slug, b.eventKey)).status).toBe(401);
    expect((await revoke(a.slug, b.eventKey)).status).toBe(401);
    expect((await api(test.url, b.eventKey, `/events/${a.slug}/file-broadcast`, { method: 'DELETE' })).status).toBe(401);
    const intruder = await ChatTestClient.open(test.url);
    expect(refusal(await intruder.request('join', { slug: a.slug, clientKey: intruder.clientKey, key: b.eventKey }))).toBe(
      'UNAUTHORIZED',
    );
    // Joined A as an attendee, the same connection cannot moderate A with B's key in hand.
    await intruder.join(a.slug);
    expect(refusal(await intruder.request('pin', { text: 'hijacked' }))).toBe('FORBIDDEN');
    expect((await check(a.slug, a.eventKey)).status).toBe(204);
  });
});
