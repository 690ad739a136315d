import type { types } from 'mediasoup';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/errors';
import { MEDIA_NAMESPACE } from '../../shared/signalling';
import type { FfmpegPublisher } from '../../server/sfu/FfmpegPublisher';
import { SignallingClient } from '../helpers/SignallingClient';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Hostile attendees of the `/media` namespace (issue 11, holes 1–3): each test performs the attack
 * against the real server with real Socket.io clients, and checks that it is refused and that a
 * legitimate attendee of the same event is unaffected.
 */

interface Joined {
  routerRtpCapabilities: types.RtpCapabilities;
  producers: { producerId: string; kind: string }[];
}

/** What a browser would send to publish its microphone: valid for the room's codecs. */
const MICROPHONE: types.RtpParameters = {
  mid: '0',
  codecs: [
    { mimeType: 'audio/opus', payloadType: 111, clockRate: 48_000, channels: 2, parameters: {}, rtcpFeedback: [] },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 11_111_111 }],
  rtcp: { cname: 'attacker', reducedSize: true },
};

let test: TestServer;
const clients: SignallingClient[] = [];
/** Every consumer the server makes, by the transport it was made on. */
const consumersByTransport = new Map<string, types.Consumer[]>();

async function connect(
  url = test.url,
  options: Parameters<typeof SignallingClient.connect>[2] = {},
): Promise<SignallingClient> {
  const client = await SignallingClient.connect(url, MEDIA_NAMESPACE, options);
  clients.push(client);
  return client;
}

/** A live event whose organizer publishes the test pattern (audio and video). */
async function broadcastingEvent(server = test): Promise<{
  slug: string;
  eventKey: string;
  publisher: FfmpegPublisher;
}> {
  const { slug, eventKey } = await createEvent(server);
  const publisher = await publishTestPattern(server, slug, { width: 320, height: 180 });
  return { slug, eventKey, publisher };
}

/** An attendee that joined `slug`, made its receive transport and consumes every producer. */
async function watchingAttendee(slug: string, server = test) {
  const client = await connect(server.url);
  const joined = await client.ok<Joined>('join', { slug });
  const transport = await client.ok<{ id: string }>('createTransport', { direction: 'recv' });
  const consumers = [];
  for (const { producerId } of joined.producers) {
    consumers.push(await client.ok<{ consumerId: string; producerId: string }>('consume', {
      producerId,
      rtpCapabilities: joined.routerRtpCapabilities,
    }));
  }
  const producersClosed: string[] = [];
  client.socket.on('producerClosed', ({ producerId }: { producerId: string }) => producersClosed.push(producerId));
  return { client, joined, transport, consumers, producersClosed };
}

function producerIds(server: TestServer, slug: string): string[] {
  return server.server.rooms.get(slug)!.producers().map((p) => p.producerId).sort();
}

function openConsumers(transportId: string): types.Consumer[] {
  return (consumersByTransport.get(transportId) ?? []).filter((c) => !c.closed);
}

function codes(acks: Ack<unknown>[]): string[] {
  return acks.flatMap((ack) => (ack.ok ? [] : [ack.error.code]));
}

/** A request from a client that flooded: answered once its connection's rate limit lets it through. */
async function once<T>(client: SignallingClient, name: string, payload: unknown): Promise<T> {
  let ack: Ack<T>;
  do {
    ack = await client.request<T>(name, payload);
    if (!ack.ok && ack.error.code === 'RATE_LIMITED') await new Promise((resolve) => setTimeout(resolve, 100));
  } while (!ack.ok && ack.error.code === 'RATE_LIMITED');
  if (!ack.ok) throw new Error(`${name} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

beforeAll(async () => {
  // These attendees have no WebRTC stack and never complete ICE: their transports must outlive the tests.
  test = await startTestServer({ WEBRTC_CONNECT_TIMEOUT_MS: '60000' });
  for (const worker of test.server.workers.alive()) {
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) =>
        transport.observer.on('newconsumer', (consumer) => {
          consumersByTransport.set(transport.id, [...(consumersByTransport.get(transport.id) ?? []), consumer]);
        }),
      ),
    );
  }
});
afterAll(async () => {
  await test.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('hole 1: one event’s key used to take over another live event', () => {
  it('refuses to let a socket that joined A as attendee and B as organizer in one batch publish into A', async () => {
    const a = await broadcastingEvent();
    const b = await broadcastingEvent();
    try {
      const original = producerIds(test, a.slug);
      const attendee = await watchingAttendee(a.slug);
      for (const order of ['A first', 'B first', 'A first', 'B first']) {
        // Polling carries both joins in one HTTP request, so the server starts them together.
        const attacker = await connect(test.url, { transports: ['polling'] });
        const joinA = () => attacker.request('join', { slug: a.slug });
        const joinB = () => attacker.request('join', { slug: b.slug, key: b.eventKey });
        await Promise.all(order === 'A first' ? [joinA(), joinB()] : [joinB(), joinA()]);

        const transport = await attacker.request<{ id: string }>('createTransport', { direction: 'send' });
        if (transport.ok) {
          const produced = await attacker.request<{ producerId: string }>('produce', {
            transportId: transport.data.id,
            kind: 'audio',
            rtpParameters: MICROPHONE,
          });
          // The key was B's: publishing into B is what it allows, and all it allows.
          expect(produced.ok).toBe(true);
          if (produced.ok) expect(producerIds(test, b.slug)).toContain(produced.data.producerId);
        } else {
          expect(['FORBIDDEN', 'INVALID_STATE']).toContain(transport.error.code);
        }
        expect(producerIds(test, a.slug)).toEqual(original);
        attacker.close();
      }

      // The same parameters are accepted where the key does apply: the refusal above is the role's.
      const organizerOfB = await connect();
      await organizerOfB.ok('join', { slug: b.slug, key: b.eventKey });
      const sendB = await organizerOfB.ok<{ id: string }>('createTransport', { direction: 'send' });
      await organizerOfB.ok('produce', { transportId: sendB.id, kind: 'audio', rtpParameters: MICROPHONE });

      expect(producerIds(test, a.slug)).toEqual(original);
      expect(attendee.producersClosed).toEqual([]);
      expect(openConsumers(attendee.transport.id).map((c) => c.producerId).sort()).toEqual(original);
    } finally {
      a.publisher.close();
      b.publisher.close();
    }
  });
});

describe('hole 2: using up the WebRTC seats', () => {
  it('takes one seat for many concurrent receive transports from one socket', async () => {
    const { slug, publisher } = await broadcastingEvent();
    try {
      const attendee = await watchingAttendee(slug);
      const seatsBefore = test.server.rooms.seats.used;
      const attacker = await connect();
      await attacker.ok('join', { slug });
      const acks = await Promise.all(
        Array.from({ length: 30 }, () => attacker.request<{ id: string }>('createTransport', { direction: 'recv' })),
      );
      expect(acks.some((ack) => ack.ok)).toBe(true);
      for (const code of codes(acks)) expect(code).toBe('INVALID_STATE');
      expect(test.server.rooms.seats.used).toBe(seatsBefore + 1);

      // Asking again later replaces the transport: its seat comes back, one is still held.
      await attacker.ok('createTransport', { direction: 'recv' });
      expect(test.server.rooms.seats.used).toBe(seatsBefore + 1);
      attacker.close();
      await expect.poll(() => test.server.rooms.seats.used).toBe(seatsBefore);
      expect(openConsumers(attendee.transport.id)).toHaveLength(2);
    } finally {
      publisher.close();
    }
  });

  it('gives back the seat of a receive transport that never connects', async () => {
    const limited = await startTestServer({ WEBRTC_SEATS_PER_WORKER: '1', WEBRTC_CONNECT_TIMEOUT_MS: '500' });
    try {
      const { slug, publisher } = await broadcastingEvent(limited);
      try {
        const squatter = await connect(limited.url);
        await squatter.ok('join', { slug });
        await squatter.ok('createTransport', { direction: 'recv' });
        expect(limited.server.rooms.seats.used).toBe(1);

        const attendee = await connect(limited.url);
        await attendee.ok('join', { slug });
        expect(await attendee.request('createTransport', { direction: 'recv' })).toMatchObject({
          ok: false,
          error: { reason: 'seatsFull' },
        });
        // The squatter's socket stays open; only its unconnected transport goes.
        await expect.poll(() => limited.server.rooms.seats.used, { timeout: 3_000 }).toBe(0);
        expect(squatter.socket.connected).toBe(true);
        expect(await attendee.ok('createTransport', { direction: 'recv' })).toHaveProperty('id');
        expect(limited.server.rooms.seats.used).toBe(1);
      } finally {
        publisher.close();
      }
    } finally {
      await limited.close();
    }
  });

  it('stops a socket remaking its receive transport to keep a seat, even across joins, and serves the next attendee', async () => {
    const { slug, publisher } = await broadcastingEvent();
    try {
      const attacker = await connect();
      await attacker.ok('join', { slug });
      const made = [];
      for (let i = 0; i < 6; i++) {
        // Joining again makes a new peer: it must not come with a new allowance.
        if (i === 3) await attacker.ok('join', { slug });
        made.push(await attacker.request('createTransport', { direction: 'recv' }));
      }
      expect(made.map((ack) => ack.ok)).toEqual([true, true, true, false, false, false]);
      expect(codes(made)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
      const attendee = await watchingAttendee(slug);
      expect(openConsumers(attendee.transport.id)).toHaveLength(2);
    } finally {
      publisher.close();
    }
  });

  it('seats nobody before the first producer: a squatter’s early transport keeps no early attendee out', async () => {
    const limited = await startTestServer({ WEBRTC_SEATS_PER_WORKER: '1' });
    try {
      const { slug } = await createEvent(limited);
      // Live, but the organizer is not sending yet: attendees arrive early and wait.
      limited.server.events.goLive(slug);
      const squatter = await connect(limited.url);
      await squatter.ok('join', { slug });
      await squatter.ok('createTransport', { direction: 'recv' });
      const attendee = await connect(limited.url);
      const joined = await attendee.ok<Joined>('join', { slug });
      expect(await attendee.ok('createTransport', { direction: 'recv' })).toHaveProperty('id');
      expect(limited.server.rooms.seats.used).toBe(0);

      const publisher = await publishTestPattern(limited, slug, { width: 320, height: 180 });
      try {
        const room = limited.server.rooms.get(slug)!;
        await expect.poll(() => room.producers(), { timeout: 5_000 }).toHaveLength(2);
        const producers = room.producers();
        const consume = (client: SignallingClient, producerId: string) =>
          client.request('consume', { producerId, rtpCapabilities: joined.routerRtpCapabilities });
        expect(await consume(attendee, producers[0]!.producerId)).toMatchObject({ ok: true });
        expect(await consume(attendee, producers[1]!.producerId)).toMatchObject({ ok: true });
        expect(limited.server.rooms.seats.used).toBe(1);
        // The squatter now wants a seat like anyone else, and there is none left.
        expect(await consume(squatter, producers[0]!.producerId)).toMatchObject({
          ok: false,
          error: { reason: 'seatsFull' },
        });
        expect(limited.server.rooms.seats.used).toBe(1);
      } finally {
        publisher.close();
      }
    } finally {
      await limited.close();
    }
  });

  it('refuses connections over the cap from one address while another address still connects', async () => {
    const limited = await startTestServer({ SOCKET_CONNECTIONS_PER_ADDRESS: '3' });
    // The test server is reached over loopback, as through the trusted local proxy, which names the client.
    const from = (address: string) => ({ extraHeaders: { 'x-forwarded-for': address } });
    try {
      const { slug, eventKey } = await createEvent(limited);
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, () => connect(limited.url, from('203.0.113.7'))),
      );
      const admitted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
      expect(admitted).toHaveLength(3);
      await expect(connect(limited.url, from('203.0.113.7'))).rejects.toThrow();
      // An address the client writes itself before the proxy's proves nothing.
      await expect(connect(limited.url, from('198.51.100.1, 203.0.113.7'))).rejects.toThrow();

      const attendee = await connect(limited.url, from('198.51.100.9'));
      expect(await attendee.ok('join', { slug })).toMatchObject({ role: 'attendee' });
      const organizer = await connect(limited.url, from('198.51.100.10'));
      expect(await organizer.ok('join', { slug, key: eventKey })).toMatchObject({ role: 'organizer' });

      admitted[0]!.close();
      const admittedAgain = () => connect(limited.url, from('203.0.113.7')).then(() => true, () => false);
      await expect.poll(admittedAgain).toBe(true);
    } finally {
      await limited.close();
    }
  });
});

describe('hole 3: multiplying the server’s outgoing video', () => {
  it('makes one consumer of 50 consumes of the same producer', async () => {
    const { slug, publisher } = await broadcastingEvent();
    try {
      const attendee = await watchingAttendee(slug);
      const attacker = await connect();
      const joined = await attacker.ok<Joined>('join', { slug });
      const transport = await attacker.ok<{ id: string }>('createTransport', { direction: 'recv' });
      const video = joined.producers.find((p) => p.kind === 'video')!;
      const acks = await Promise.all(
        Array.from({ length: 50 }, () =>
          attacker.request('consume', { producerId: video.producerId, rtpCapabilities: joined.routerRtpCapabilities }),
        ),
      );
      expect(acks.filter((ack) => ack.ok)).toHaveLength(1);
      expect(codes(acks)).toContain('INVALID_STATE');
      for (const code of codes(acks)) expect(['INVALID_STATE', 'RATE_LIMITED']).toContain(code);
      expect(openConsumers(transport.id)).toHaveLength(1);

      // Consuming the producer again once the transport was replaced is setting up anew, not piling up.
      const renewed = await once<{ id: string }>(attacker, 'createTransport', { direction: 'recv' });
      await once(attacker, 'consume', { producerId: video.producerId, rtpCapabilities: joined.routerRtpCapabilities });
      expect(openConsumers(transport.id)).toHaveLength(0);
      expect(openConsumers(renewed.id)).toHaveLength(1);

      expect(openConsumers(attendee.transport.id)).toHaveLength(2);
      const another = await watchingAttendee(slug);
      expect(another.consumers.map((c) => c.producerId).sort()).toEqual(producerIds(test, slug));
    } finally {
      publisher.close();
    }
  });
});

describe('closing producers (the camera turned off)', () => {
  it('lets neither an attendee nor another organizer connection close the producers it did not make', async () => {
    const { slug, eventKey, publisher } = await broadcastingEvent();
    try {
      const before = producerIds(test, slug);
      const attendee = await watchingAttendee(slug);
      const organizer = await connect();
      await organizer.ok('join', { slug, key: eventKey });
      const acks = [];
      for (const producerId of before) {
        acks.push(await attendee.client.request('closeProducer', { producerId }));
        acks.push(await organizer.request('closeProducer', { producerId }));
      }
      expect(codes(acks)).toEqual(before.flatMap(() => ['FORBIDDEN', 'NOT_FOUND']));
      expect(await attendee.client.request('closeProducer', { producerId: 42 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(producerIds(test, slug)).toEqual(before);
      expect(attendee.producersClosed).toEqual([]);
    } finally {
      publisher.close();
    }
  });
});
