import type { types } from 'mediasoup';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../client/src/chat/ChatClient';
import type { Ack } from '../../shared/errors';
import { MEDIA_NAMESPACE } from '../../shared/signalling';
import type { FfmpegPublisher } from '../../server/sfu/FfmpegPublisher';
import { ChatTestClient } from '../helpers/ChatTestClient';
import { MemoryStorage, until } from '../helpers/chatClient';
import { sample, scrape } from '../helpers/prometheus';
import { SignallingClient } from '../helpers/SignallingClient';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * A flood of newcomers from many addresses (issue 11: behind the trusted proxy every hostile socket is
 * an address of its own, so no per-address limit holds it). The server-wide admission lets handshakes and
 * attendee joins in at a fixed rate over all addresses and refuses the rest with a reason, while those
 * already in carry on and a legitimate newcomer, retrying as the client does, gets in.
 */

const HANDSHAKES_PER_SECOND = 5;
const JOINS_PER_SECOND = 5;
/** Each rate may be spent two seconds' worth at once. */
const BURST = 10;

interface Joined {
  routerRtpCapabilities: types.RtpCapabilities;
  producers: { producerId: string }[];
}

let test: TestServer;
let slug: string;
let eventKey: string;
let publisher: FfmpegPublisher;
const sockets: Socket[] = [];
const chatClients: ChatClient[] = [];

/** Botnet member `i`, as the trusted local proxy reports it. */
const hostileAddress = (i: number) => ({ 'x-forwarded-for': `10.66.${i >> 8}.${i & 255}` });

/**
 * One handshake to `/media`, no retry: the socket once in, or the HTTP status of the refusal (over
 * polling; a refused WebSocket upgrade tells no status). The client drops the refusal's text before one
 * can read it: {@link rawHandshake} does.
 */
function handshake(i: number, transports = ['polling']): Promise<{ socket?: Socket; refusedWith?: number | string }> {
  const socket = io(`${test.url}${MEDIA_NAMESPACE}`, {
    transports,
    reconnection: false,
    forceNew: true,
    extraHeaders: hostileAddress(i),
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error: Error & { context?: { status?: number } }) => {
      resolve({ refusedWith: error.context?.status ?? error.message });
    });
  });
}

/** An Engine.IO handshake made by hand: the status and body the server answers a newcomer. */
async function rawHandshake(url: string, i: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: hostileAddress(i) });
  return { status: response.status, body: await response.text() };
}

async function refusedSoFar(kind: 'handshake' | 'join'): Promise<number> {
  return sample(await scrape(test.url), 'jalsa_admission_refused_total', { kind, why: 'rate' }) ?? 0;
}

/** Waits until both rates have refilled: each test starts with the whole burst. */
const refill = () => new Promise((resolve) => setTimeout(resolve, (BURST / Math.min(HANDSHAKES_PER_SECOND, JOINS_PER_SECOND)) * 1000));

/** An attendee in before the flood: watching over WebRTC (its transport, a consumer per producer) and chatting. */
async function establishedAttendee() {
  const media = await SignallingClient.connect(test.url, MEDIA_NAMESPACE, { forceNew: true, extraHeaders: { 'x-forwarded-for': '198.51.100.10' } });
  sockets.push(media.socket);
  const joined = await media.ok<Joined>('join', { slug });
  await media.ok('createTransport', { direction: 'recv' });
  for (const { producerId } of joined.producers) {
    await media.ok('consume', { producerId, rtpCapabilities: joined.routerRtpCapabilities });
  }
  const chat = await ChatTestClient.open(test.url, { extraHeaders: { 'x-forwarded-for': '198.51.100.10' } });
  await chat.join(slug);
  return { media, chat };
}

beforeAll(async () => {
  test = await startTestServer({
    SOCKET_HANDSHAKES_PER_SECOND: String(HANDSHAKES_PER_SECOND),
    JOINS_PER_SECOND: String(JOINS_PER_SECOND),
    // These attendees never complete ICE: their transports must outlive the test.
    WEBRTC_CONNECT_TIMEOUT_MS: '60000',
  });
  ({ slug, eventKey } = await createEvent(test));
  publisher = await publishTestPattern(test, slug, { width: 320, height: 180 });
});
afterAll(async () => {
  publisher.close();
  await test.close();
});
afterEach(async () => {
  for (const client of chatClients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.close();
  ChatTestClient.closeAll();
  await refill();
});

describe('a flood of newcomers from many addresses behind the proxy', () => {
  it('is let in at the server-wide rate and refused beyond it (403), while an established attendee chats and signals', async () => {
    const attendee = await establishedAttendee();
    await refill();
    const refusedBefore = await refusedSoFar('handshake');

    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => handshake(i)));
    const elapsedSeconds = (Date.now() - started) / 1000;
    // …and while it is refused, the attendee already in is served as before.
    const [chatSent, audioOnly] = await Promise.all([
      attendee.chat.ok('send', { clientId: 'during-flood-1', name: 'Amina', text: 'still here' }),
      attendee.media.ok('setAudioOnly', { audioOnly: true }),
    ]);

    const admitted = outcomes.filter((o) => o.socket).length;
    const refused = outcomes.filter((o) => o.refusedWith !== undefined);
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(BURST + Math.ceil(HANDSHAKES_PER_SECOND * elapsedSeconds));
    expect(refused.length).toBe(60 - admitted);
    for (const { refusedWith } of refused) expect(refusedWith).toBe(403);
    expect((await refusedSoFar('handshake')) - refusedBefore).toBe(refused.length);

    expect(chatSent).toMatchObject({ id: expect.any(Number) });
    expect(audioOnly).toEqual({});
    await attendee.chat.waitForMessage('still here');
  });

  it('refuses attendee joins past the server-wide rate as serverBusy before any work, never the organizer’s', async () => {
    const attendee = await establishedAttendee();
    await refill();
    // A few admitted connections, each joining again and again within its own connection's allowance.
    const flooders = (await Promise.all(Array.from({ length: 6 }, (_, i) => handshake(100 + i, ['websocket']))))
      .map((o) => o.socket)
      .filter((socket): socket is Socket => socket !== undefined);
    expect(flooders).toHaveLength(6);
    await refill();

    const started = Date.now();
    const join = (socket: Socket) => socket.timeout(5_000).emitWithAck('join', { slug }) as Promise<Ack<unknown>>;
    const [acks, organizer] = await Promise.all([
      Promise.all(flooders.flatMap((socket) => Array.from({ length: 6 }, () => join(socket)))),
      SignallingClient.connect(test.url, MEDIA_NAMESPACE, { forceNew: true }).then((client) => {
        sockets.push(client.socket);
        return client.request<{ role: string }>('join', { slug, key: eventKey });
      }),
    ]);
    const elapsedSeconds = (Date.now() - started) / 1000;

    const accepted = acks.filter((ack) => ack.ok).length;
    const refused = acks.filter((ack) => !ack.ok);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(BURST + Math.ceil(JOINS_PER_SECOND * elapsedSeconds));
    expect(refused.length).toBeGreaterThan(0);
    for (const ack of refused) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', reason: 'serverBusy', message: expect.stringMatching(/server is busy; try again in \d+ s/) } });
    }
    // The organizer's key is checked, not queued behind the crowd.
    expect(organizer).toMatchObject({ ok: true, data: { role: 'organizer' } });

    // The attendee already in keeps signalling and chatting.
    expect(await attendee.media.ok('setAudioOnly', { audioOnly: false })).toEqual({});
    await attendee.chat.ok('send', { clientId: 'during-flood-2', name: 'Amina', text: 'still watching' });
    await attendee.chat.waitForMessage('still watching');
  });

  it('lets a legitimate chat client in eventually: refused while the flood lasts, it retries with jittered backoff and gets in', async () => {
    // For four seconds the flood asks for more than both rates: a handshake from a new address every 20 ms,
    // and joins from every connection it got in.
    const ownRefusals = { handshake: 0, join: 0 };
    const refusedBefore = { handshake: await refusedSoFar('handshake'), join: await refusedSoFar('join') };
    const floodUntil = Date.now() + 4_000;
    const admitted: Socket[] = [];
    const flood = (async () => {
      for (let i = 300; Date.now() < floodUntil; i++) {
        void handshake(i).then(({ socket }) => (socket ? admitted.push(socket) : ownRefusals.handshake++));
        for (const socket of admitted) {
          void (socket.timeout(5_000).emitWithAck('join', { slug }) as Promise<Ack<unknown>>).then(
            (ack) => (!ack.ok && ack.error.reason === 'serverBusy' ? ownRefusals.join++ : undefined),
            () => undefined,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // A real chat client arrives meanwhile, with Socket.io's own reconnection and the client's join retry,
    // just after the flood took what tokens there were (so that its first handshake is surely refused).
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const { status } of await Promise.all([1, 2, 3, 4, 5].map((n) => rawHandshake(test.url, 400 + n)))) {
      if (status === 403) ownRefusals.handshake++;
    }
    const client = new ChatClient({
      slug,
      url: test.url,
      storage: new MemoryStorage(),
      socketOptions: { transports: ['websocket'], extraHeaders: { 'x-forwarded-for': '198.51.100.20' } },
    });
    chatClients.push(client);
    const online = await until(client, (view) => view.connection === 'online', 'online', 30_000);
    await flood;

    expect(online.role).toBe('attendee');
    // Some of the refusals were the client's own: it met the flood, and came in once it ended.
    const clientRefusals =
      (await refusedSoFar('handshake')) - refusedBefore.handshake - ownRefusals.handshake +
      (await refusedSoFar('join')) - refusedBefore.join - ownRefusals.join;
    expect(clientRefusals).toBeGreaterThan(0);
    expect(Date.now()).toBeGreaterThan(floodUntil);
  });
});

describe('a lagging event loop', () => {
  it('sheds newcomers while the loop is held up, and admits them again once it recovers', async () => {
    const lagging = await startTestServer({ SHED_EVENT_LOOP_DELAY_MS: '200' });
    try {
      const { slug: event } = await createEvent(lagging);
      // Starting a server (workers, the database) holds the loop up too: that must be behind us.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const inBefore = await SignallingClient.connect(lagging.url, MEDIA_NAMESPACE, { forceNew: true });
      sockets.push(inBefore.socket);
      // The server shares this process: holding the loop here holds the server's.
      const heldUntil = Date.now() + 600;
      while (Date.now() < heldUntil);
      const refused = await rawHandshake(lagging.url, 1);
      // What a refused handshake is told (Socket.io's client drops the text, and reconnects after its backoff).
      expect(refused).toEqual({ status: 403, body: expect.stringMatching(/"message":"the server is busy; try again in a moment"/) });
      // A join from a connection already in is a newcomer to the event: shed too, with its reason.
      expect(await inBefore.request('join', { slug: event })).toMatchObject({ ok: false, error: { reason: 'serverBusy' } });
      expect(sample(await scrape(lagging.url), 'jalsa_admission_refused_total', { kind: 'handshake', why: 'loopDelay' })).toBe(1);

      // Within the monitor's two windows the lag has passed: newcomers are let in again.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const after = await SignallingClient.connect(lagging.url, MEDIA_NAMESPACE, { forceNew: true });
      sockets.push(after.socket);
      expect(await after.request('join', { slug: event })).toMatchObject({ ok: true, data: { role: 'attendee' } });
    } finally {
      await lagging.close();
    }
  });
});
