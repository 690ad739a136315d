import type { types } from 'mediasoup';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../server/logger';
import { FfmpegPublisher } from '../../../../server/sfu/FfmpegPublisher';
import { testPatternSource } from '../../../../server/sfu/testPatternSource';
import { OPUS_PTIME_MS } from '../../../../shared/media';
import { opusPacketMs } from '../../../helpers/opusPackets';
import { SignallingClient } from '../../../helpers/SignallingClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

const TEST_PATTERN = testPatternSource({ width: 640, height: 360 });

let test: TestServer;
const clients: SignallingClient[] = [];

async function connect(): Promise<SignallingClient> {
  const client = await SignallingClient.connect(test.url);
  clients.push(client);
  return client;
}

/** Creates an event and takes it live the way its organizer does, over signalling. */
async function liveEvent(): Promise<{ slug: string; eventKey: string; organizer: SignallingClient }> {
  const { slug, eventKey } = await createEvent(test);
  const organizer = await connect();
  await organizer.ok('join', { slug, key: eventKey });
  await organizer.ok('goLive', {});
  return { slug, eventKey, organizer };
}

beforeAll(async () => {
  test = await startTestServer();
});
afterAll(async () => {
  await test.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('joining and going live', () => {
  it('gives an attendee of a scheduled event no router, then tells it when the organizer goes live', async () => {
    const { slug, eventKey } = await createEvent(test);
    const attendee = await connect();
    const joined = await attendee.ok<{ role: string; routerRtpCapabilities: unknown; event: { status: string } }>(
      'join',
      { slug },
    );
    expect(joined).toMatchObject({ role: 'attendee', routerRtpCapabilities: null, event: { status: 'scheduled' } });

    const organizer = await connect();
    expect(await organizer.ok('join', { slug, key: eventKey })).toMatchObject({ role: 'organizer' });
    const updated = attendee.next<{ status: string }>('eventUpdated');
    const live = await organizer.ok<{ event: { status: string }; routerRtpCapabilities: { codecs: unknown[] } }>(
      'goLive',
      {},
    );
    expect(live.event.status).toBe('live');
    expect(live.routerRtpCapabilities.codecs.length).toBeGreaterThan(0);
    expect((await updated).status).toBe('live');

    const rejoined = await attendee.ok<{ routerRtpCapabilities: unknown }>('join', { slug });
    expect(rejoined.routerRtpCapabilities).not.toBeNull();
  });

  it('offers ICE candidates over both UDP and TCP on the announced address', async () => {
    const { slug, organizer } = await liveEvent();
    const transport = await organizer.ok<{ iceCandidates: { protocol: string; address: string }[] }>(
      'createTransport',
      { direction: 'recv' },
    );
    expect(transport.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
    expect(new Set(transport.iceCandidates.map((c) => c.address))).toEqual(new Set(['127.0.0.1']));
  });
});

describe('organizer-only actions', () => {
  let slug: string;
  let eventKey: string;

  beforeEach(async () => {
    ({ slug, eventKey } = await liveEvent());
  });

  it('rejects a wrong organizer key', async () => {
    const impostor = await connect();
    const ack = await impostor.request('join', { slug, key: 'x'.repeat(43) });
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('rejects another event’s key', async () => {
    const other = await createEvent(test, 'Another rally');
    const impostor = await connect();
    const ack = await impostor.request('join', { slug, key: other.eventKey });
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('does not let an attendee publish, go live or end the event', async () => {
    const attendee = await connect();
    await attendee.ok('join', { slug });
    expect(await attendee.request('createTransport', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const recv = await attendee.ok<{ id: string }>('createTransport', { direction: 'recv' });
    expect(
      await attendee.request('produce', { transportId: recv.id, kind: 'audio', rtpParameters: { codecs: [] } }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await attendee.request('goLive', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await attendee.request('endEvent', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const event = (await (await fetch(`${test.url}/api/events/${slug}`)).json()) as { status: string };
    expect(event.status).toBe('live');
  });

  it('lets the organizer end the event, which closes its media for everyone', async () => {
    const attendee = await connect();
    await attendee.ok('join', { slug });
    const ended = attendee.next<{ status: string }>('eventUpdated');
    const organizer = await connect();
    await organizer.ok('join', { slug, key: eventKey });
    expect(await organizer.ok('endEvent', {})).toMatchObject({ status: 'ended' });
    expect((await ended).status).toBe('ended');
    expect(await attendee.request('createTransport', { direction: 'recv' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_LIVE' },
    });
    expect(await organizer.request('goLive', {})).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
  });
});

describe('consuming and audio-only', () => {
  it('pauses an attendee’s video consumer while audio-only and resumes it after', async () => {
    const { slug, eventKey } = await createEvent(test);
    const organizer = await connect();
    await organizer.ok('join', { slug, key: eventKey });
    const consumers: types.Consumer[] = [];
    // Going live makes the event's router: watch it, through mediasoup's observer, for its consumers.
    for (const worker of test.server.workers.alive()) {
      worker.observer.on('newrouter', (router) => {
        if (router.appData.slug === slug) router.observer.on('newtransport', (t) => t.observer.on('newconsumer', (c) => consumers.push(c)));
      });
    }
    await organizer.ok('goLive', {});
    const room = await test.server.rooms.getOrCreate(slug);
    const publisher = await FfmpegPublisher.start(room, TEST_PATTERN, createLogger('silent'));
    try {
      const attendee = await connect();
      const joined = await attendee.ok<{
        routerRtpCapabilities: unknown;
        producers: { producerId: string; kind: string }[];
      }>('join', { slug });
      expect(joined.producers.map((p) => p.kind).sort()).toEqual(['audio', 'video']);
      await attendee.ok('createTransport', { direction: 'recv' });
      for (const { producerId } of joined.producers) {
        const consumer = await attendee.ok<{ consumerId: string }>('consume', {
          producerId,
          rtpCapabilities: joined.routerRtpCapabilities,
        });
        await attendee.ok('resumeConsumer', { consumerId: consumer.consumerId });
      }
      const video = consumers.find((c) => c.kind === 'video')!;
      const audio = consumers.find((c) => c.kind === 'audio')!;
      expect([video.paused, audio.paused]).toEqual([false, false]);

      await attendee.ok('setAudioOnly', { audioOnly: true });
      expect([video.paused, audio.paused]).toEqual([true, false]);

      await attendee.ok('setAudioOnly', { audioOnly: false });
      expect([video.paused, audio.paused]).toEqual([false, false]);
    } finally {
      publisher.close();
    }
  });

  it('tells attendees when the organizer’s producers come and go', async () => {
    const { slug } = await liveEvent();
    const attendee = await connect();
    await attendee.ok('join', { slug });
    const added = attendee.next<{ kind: string }>('producerAdded');
    const room = await test.server.rooms.getOrCreate(slug);
    const publisher = await FfmpegPublisher.start(room, TEST_PATTERN, createLogger('silent'));
    expect((await added).kind).toBe('audio');
    const closed = attendee.next<{ producerId: string }>('producerClosed');
    publisher.close();
    expect(publisher.producers.map((p) => p.producerId)).toContain((await closed).producerId);
  });
});

describe('speech from an ffmpeg source (file broadcasts, the demo)', () => {
  it('arrives in packets of OPUS_PTIME_MS', async () => {
    const { slug } = await liveEvent();
    const room = await test.server.rooms.getOrCreate(slug);
    const publisher = await FfmpegPublisher.start(room, TEST_PATTERN, createLogger('silent'));
    try {
      expect(await opusPacketMs(room)).toBe(OPUS_PTIME_MS);
    } finally {
      publisher.close();
    }
  });
});

describe('the organizer’s connection lost and back', () => {
  it('gives one of the client’s own transports new ICE credentials for an ICE restart, and no one else’s', async () => {
    const { organizer } = await liveEvent();
    const made = await organizer.ok<{ id: string; iceParameters: { usernameFragment: string } }>('createTransport', { direction: 'send' });
    const restarted = await organizer.ok<{ iceParameters: { usernameFragment: string } }>('restartIce', { transportId: made.id });
    expect(restarted.iceParameters.usernameFragment).toBeTruthy();
    expect(restarted.iceParameters.usernameFragment).not.toBe(made.iceParameters.usernameFragment);
    const stranger = await connect();
    await stranger.ok('join', { slug: (await liveEvent()).slug });
    expect(await stranger.request('restartIce', { transportId: made.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('keeps the event live and tells attendees the organizer is away when its connection drops, and back when it joins again', async () => {
    const { slug, eventKey, organizer } = await liveEvent();
    const attendee = await connect();
    expect(await attendee.ok('join', { slug })).toMatchObject({ organizerAway: false });
    const away = attendee.next<{ away: boolean }>('organizerAway');
    organizer.close();
    expect(await away).toEqual({ away: true });
    expect(test.server.events.get(slug).status).toBe('live');
    const late = await connect();
    expect(await late.ok('join', { slug })).toMatchObject({ organizerAway: true });

    const back = attendee.next<{ away: boolean }>('organizerAway');
    const returning = await connect();
    await returning.ok('join', { slug, key: eventKey });
    expect(await back).toEqual({ away: false });
    expect(test.server.organizerAbsence.isAway(slug)).toBe(false);
  });
});

describe('hostile input', () => {
  const requests = [
    'join', 'createTransport', 'connectTransport', 'produce', 'consume',
    'resumeConsumer', 'setPreferredLayers', 'setAudioOnly', 'goLive', 'endEvent',
  ];
  const garbage: unknown[] = [
    undefined, null, 42, 'text', [], [1, 2, 3], true,
    { slug: 'x'.repeat(10_000) },
    { slug: '../../etc/passwd' },
    { transportId: 123, dtlsParameters: 'nope' },
    { producerId: { $gt: '' }, rtpCapabilities: null },
    { consumerId: 'unknown', spatialLayer: 99 },
    { direction: 'sideways' },
    { audioOnly: 'yes' },
    Buffer.from([0, 1, 2, 3, 255]),
  ];

  it('answers every malformed request with an error and keeps serving other attendees', async () => {
    const { slug } = await liveEvent();
    const bystander = await connect();
    await bystander.ok('join', { slug });

    const codes = new Set<string>();
    for (const name of requests) {
      // A fresh connection per request name keeps the flood limit out of the way of what is tested here.
      const attacker = await connect();
      await attacker.ok('join', { slug });
      attacker.socket.emit(name, { slug }); // no acknowledgement callback
      attacker.socket.emit('noSuchEvent', { slug }, () => undefined);
      for (const payload of garbage) {
        const ack = await attacker.request(name, payload);
        const label = `${name}(${JSON.stringify(payload)?.slice(0, 40)})`;
        expect(ack.ok, label).toBe(false);
        if (!ack.ok) {
          expect(['BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN'], label).toContain(ack.error.code);
          codes.add(ack.error.code);
        }
      }
      expect(attacker.socket.connected).toBe(true);
    }
    expect(codes).toContain('BAD_REQUEST');
    const transport = await bystander.ok<{ id: string }>('createTransport', { direction: 'recv' });
    expect(transport.id).toBeTruthy();
  });

  it('limits a flood of requests from one connection', async () => {
    const { slug } = await createEvent(test);
    const flooder = await connect();
    const acks = await Promise.all(Array.from({ length: 120 }, () => flooder.request('join', { slug })));
    const limited = acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThan(0);
  });

  it('disconnects a client that sends an oversized frame, and only that client', async () => {
    const { slug } = await createEvent(test);
    const bystander = await connect();
    await bystander.ok('join', { slug });
    const attacker = await connect();
    const dropped = new Promise((resolve) => attacker.socket.once('disconnect', resolve));
    attacker.socket.emit('join', { slug: 'x'.repeat(200_000) }, () => undefined);
    await dropped;
    expect(await bystander.ok('join', { slug })).toMatchObject({ role: 'attendee' });
  });
});

describe('one event over several workers', () => {
  it('receives attendees on the other worker, fed from the origin through a pipe', async () => {
    const spread = await startTestServer({ MEDIASOUP_WORKERS: '2', WEBRTC_SEATS_PER_WORKER: '1' });
    const local: SignallingClient[] = [];
    try {
      const consumers: { pid: number; consumer: types.Consumer }[] = [];
      const pipeProducers: types.Producer[] = [];
      for (const worker of spread.server.workers.alive()) {
        worker.observer.on('newrouter', (router) => {
          router.observer.on('newtransport', (transport) => {
            if (transport.type === 'webrtc') {
              transport.observer.on('newconsumer', (consumer) => consumers.push({ pid: worker.pid, consumer }));
            }
            if (transport.type === 'pipe') {
              transport.observer.on('newproducer', (producer) => pipeProducers.push(producer));
            }
          });
        });
      }
      const { slug } = await createEvent(spread);
      spread.server.events.goLive(slug);
      const room = await spread.server.rooms.getOrCreate(slug);
      const publisher = await FfmpegPublisher.start(room, TEST_PATTERN, createLogger('silent'));
      try {
        const attendees = [];
        for (let i = 0; i < 2; i++) {
          const client = await SignallingClient.connect(spread.url);
          local.push(client);
          const joined = await client.ok<{ routerRtpCapabilities: unknown; producers: { producerId: string }[] }>('join', { slug });
          await client.ok('createTransport', { direction: 'recv' });
          for (const { producerId } of joined.producers) {
            await client.ok('consume', { producerId, rtpCapabilities: joined.routerRtpCapabilities });
          }
          attendees.push(client);
        }
        const pids = new Set(consumers.map((c) => c.pid));
        expect(pids.size).toBe(2);
        expect(consumers).toHaveLength(4);
        // Media really crosses: the piped copies of the producers receive the source's packets.
        expect(pipeProducers.map((p) => p.kind).sort()).toEqual(['audio', 'video']);
        await expect
          .poll(async () => (await Promise.all(pipeProducers.map((p) => p.getStats()))).every((stats) => stats.some((s) => s.byteCount > 0)))
          .toBe(true);
        // Both seats taken: a third attendee is sent to HLS.
        const third = await SignallingClient.connect(spread.url);
        local.push(third);
        expect(await third.ok('join', { slug })).toMatchObject({ webrtcSeatAvailable: false });
      } finally {
        publisher.close();
      }
    } finally {
      for (const client of local) client.close();
      await spread.close();
    }
  });
});

describe('WebRTC seats', () => {
  it('sends attendees beyond the seat limit to HLS and frees a seat when an attendee leaves', async () => {
    const limited = await startTestServer({ WEBRTC_SEATS_PER_WORKER: '1' });
    const local: SignallingClient[] = [];
    let publisher: FfmpegPublisher | undefined;
    try {
      const { slug, eventKey } = await createEvent(limited);
      const join = async (key?: string) => {
        const client = await SignallingClient.connect(limited.url);
        local.push(client);
        const joined = await client.ok<{ webrtcSeatAvailable: boolean }>('join', key ? { slug, key } : { slug });
        return { client, joined };
      };
      const organizer = await join(eventKey);
      await organizer.client.ok('goLive', {});
      // A receive transport takes its seat once the room has something to watch.
      publisher = await FfmpegPublisher.start(await limited.server.rooms.getOrCreate(slug), TEST_PATTERN, createLogger('silent'));
      const first = await join();
      expect(first.joined.webrtcSeatAvailable).toBe(true);
      await first.client.ok('createTransport', { direction: 'recv' });

      const second = await join();
      expect(second.joined.webrtcSeatAvailable).toBe(false);
      expect(await second.client.request('createTransport', { direction: 'recv' })).toMatchObject({
        ok: false,
        error: { code: 'UNAVAILABLE', reason: 'seatsFull' },
      });
      // Organizers never need a seat.
      expect(await organizer.client.ok('createTransport', { direction: 'recv' })).toHaveProperty('id');

      first.client.close();
      await expect
        .poll(async () => (await second.client.request('createTransport', { direction: 'recv' })).ok)
        .toBe(true);
    } finally {
      publisher?.close();
      for (const client of local) client.close();
      await limited.close();
    }
  });
});

describe('worker death', () => {
  it('recreates the event’s router on a new worker and tells clients to reconnect', async () => {
    const { slug, eventKey } = await createEvent(test);
    const organizer = await connect();
    await organizer.ok('join', { slug, key: eventKey });
    const first = await organizer.ok<{ routerRtpCapabilities: unknown }>('goLive', {});
    expect(first.routerRtpCapabilities).not.toBeNull();
    const attendee = await connect();
    await attendee.ok('join', { slug });

    const reconnect = attendee.next<{ reason: string }>('reconnect');
    const [pid] = test.server.workers.pids();
    process.kill(pid!, 'SIGKILL');
    expect(await reconnect).toEqual({ reason: 'workerDied' });
    expect(test.server.workers.pids()).not.toContain(pid);

    const rejoined = await attendee.ok<{ routerRtpCapabilities: unknown }>('join', { slug });
    expect(rejoined.routerRtpCapabilities).not.toBeNull();
    expect(await attendee.ok<{ id: string }>('createTransport', { direction: 'recv' })).toHaveProperty('id');
    const health = await fetch(`${test.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
