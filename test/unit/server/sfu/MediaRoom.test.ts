import type { types } from 'mediasoup';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../server/logger';
import { MediaRoom, type MediaRoomCloseReason } from '../../../../server/sfu/MediaRoom';
import { WebRtcSeats } from '../../../../server/sfu/WebRtcSeats';
import { asMediasoup, FakeProducer, type FakeRouter, type FakeTransport, type FakeWorker, fakePool, transportSettings } from '../../../helpers/fakeMediasoup';

const logger = createLogger('silent');

async function room(workers = 1, seatsPerWorker = 10) {
  const { pool, workers: fakes } = fakePool(workers);
  const created = await MediaRoom.create('rally', pool, new WebRtcSeats(seatsPerWorker), transportSettings, logger);
  return { room: created, workers: fakes, origin: fakes[0]!.routers[0]! };
}

const producer = (kind: 'audio' | 'video') => asMediasoup<types.Producer>(new FakeProducer(kind));
const workerOf = (router: types.Router) => (router as unknown as FakeRouter).worker;
const fake = (transport: unknown) => transport as FakeTransport;

describe('MediaRoom: where attendees are seated', () => {
  it('seats attendees on the worker with the fewest taken seats, the origin last on a tie', async () => {
    const { room: r, workers } = await room(2);
    const [origin, other] = workers as [FakeWorker, FakeWorker];
    r.addProducer(producer('audio'));
    const seated = [];
    for (let i = 0; i < 3; i++) seated.push(workerOf((await r.createReceiveTransport(true)).router));
    // The origin carries the organizer and the packager: it counts half a seat busier.
    expect(seated).toEqual([other, origin, other]);
  });

  it('receives an organizer watching their own event on the origin, without a seat', async () => {
    const { room: r, origin } = await room(2, 1);
    const receiving = await r.createReceiveTransport(false);
    expect(receiving.router).toBe(origin);
    expect(r.seatAvailable).toBe(true);
  });

  it('refuses an attendee when every worker’s seats are taken, and gives a seat back when its transport closes', async () => {
    const { room: r } = await room(1, 1);
    r.addProducer(producer('audio'));
    const first = await r.createReceiveTransport(true);
    await expect(r.createReceiveTransport(true)).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'seatsFull' });
    expect(r.seatAvailable).toBe(false);
    first.transport.close();
    expect(r.seatAvailable).toBe(true);
  });

  it('seats an attendee who came before the first producer only when they take something, once', async () => {
    const { room: r } = await room(1, 1);
    const early = await r.createReceiveTransport(true);
    const squatter = await r.createReceiveTransport(true);
    expect(r.seatAvailable).toBe(true);
    r.addProducer(producer('audio'));
    early.takeSeat();
    early.takeSeat();
    expect(r.seatAvailable).toBe(false);
    expect(() => squatter.takeSeat()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE', reason: 'seatsFull' }));
    early.transport.close();
    expect(r.seatAvailable).toBe(true);
    expect(() => early.takeSeat()).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(r.seatAvailable).toBe(true);
  });
});

describe('MediaRoom: receive transports that never connect', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes a receive transport not ICE-connected within the timeout, seated or not', async () => {
    vi.useFakeTimers();
    const { room: r } = await room();
    r.addProducer(producer('audio'));
    const attendee = fake((await r.createReceiveTransport(true)).transport);
    const organizer = fake((await r.createReceiveTransport(false)).transport);
    vi.advanceTimersByTime(transportSettings.connectTimeoutMs - 1);
    expect([attendee.closed, organizer.closed]).toEqual([false, false]);
    vi.advanceTimersByTime(1);
    expect([attendee.closed, organizer.closed]).toEqual([true, true]);
  });

  it('starts the clock with the first producer when the room has none yet: nothing to connect for before', async () => {
    vi.useFakeTimers();
    const { room: r } = await room();
    const transport = fake((await r.createReceiveTransport(true)).transport);
    vi.advanceTimersByTime(transportSettings.connectTimeoutMs * 10);
    expect(transport.closed).toBe(false);
    r.addProducer(producer('audio'));
    r.addProducer(producer('video'));
    vi.advanceTimersByTime(transportSettings.connectTimeoutMs);
    expect(transport.closed).toBe(true);
  });

  it('keeps a receive transport whose ICE connected in time', async () => {
    vi.useFakeTimers();
    const { room: r } = await room();
    r.addProducer(producer('audio'));
    const transport = fake((await r.createReceiveTransport(true)).transport);
    transport.observer.emit('icestatechange', 'checking');
    vi.advanceTimersByTime(transportSettings.connectTimeoutMs / 2);
    transport.observer.emit('icestatechange', 'completed');
    vi.advanceTimersByTime(transportSettings.connectTimeoutMs * 10);
    expect(transport.closed).toBe(false);
  });
});

describe('MediaRoom: producers', () => {
  it('keeps one producer per kind: a second one replaces the first', async () => {
    const { room: r } = await room();
    const closed: string[] = [];
    r.on('producerClosed', (id) => closed.push(id));
    const first = producer('audio');
    const video = producer('video');
    const second = producer('audio');
    r.addProducer(first);
    r.addProducer(video);
    r.addProducer(second);
    expect(first.closed).toBe(true);
    expect(closed).toEqual([first.id]);
    expect(r.producers()).toEqual([
      { producerId: video.id, kind: 'video' },
      { producerId: second.id, kind: 'audio' },
    ]);
  });

  it('adds the producer and tells the other listeners even when a producerAdded listener throws', async () => {
    const { room: r } = await room();
    const heard: string[] = [];
    r.on('producerAdded', () => {
      throw new Error('a buggy listener');
    });
    r.on('producerAdded', ({ producerId }) => heard.push(producerId));
    const audio = producer('audio');
    expect(() => r.addProducer(audio)).not.toThrow();
    expect(r.hasProducer(audio.id)).toBe(true);
    expect(heard).toEqual([audio.id]);
  });

  it('reads ingest statistics from its own producers only', async () => {
    const { room: r } = await room();
    r.addProducer(producer('audio'));
    expect(await r.ingestStats()).toEqual([{ kind: 'audio', bitrateBps: 1000, packetsLost: 0, lossFraction: 0 }]);
  });
});

describe('MediaRoom: what attaches to it', () => {
  it('closes every tap, publication, pipe and adopted child with itself', async () => {
    const { room: r, origin } = await room();
    const publication = await r.publishPlain([
      { kind: 'audio', codec: { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 100 }, ssrc: 1 },
    ]);
    publication.publish();
    const tap = await r.openRtpTap();
    const pipe = await r.openPipe({ listenIp: '127.0.0.1', announcedAddress: undefined });
    let adoptedClosed = 0;
    r.adopt({ close: () => adoptedClosed++ });
    const reasons: MediaRoomCloseReason[] = [];
    r.on('closed', (reason) => reasons.push(reason));

    r.close();
    expect([publication.closed, tap.closed, pipe.closed, adoptedClosed]).toEqual([true, true, true, 1]);
    expect(origin.transports.every((t) => t.closed)).toBe(true);
    expect(reasons).toEqual(['closed']);
    r.close();
    expect(adoptedClosed).toBe(1);
  });

  it('forgets a child that closed by itself, so closing the room does not close it again', async () => {
    const { room: r, origin } = await room();
    const pipe = await r.openPipe({ listenIp: '127.0.0.1', announcedAddress: undefined });
    const transport = fake(origin.transports[0]);
    let closes = 0;
    transport.observer.on('close', () => closes++);
    pipe.close();
    r.close();
    expect(closes).toBe(1);
  });

  it('publishes a local process’s producers only when asked, and withdraws them when it closes', async () => {
    const { room: r } = await room();
    const added: string[] = [];
    r.on('producerAdded', ({ kind }) => added.push(kind));
    const publication = await r.publishPlain([
      { kind: 'audio', codec: { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 100 }, ssrc: 1 },
      { kind: 'video', codec: { mimeType: 'video/VP8', clockRate: 90_000, payloadType: 101 }, ssrc: 2 },
    ]);
    expect(r.producers()).toEqual([]);
    expect(publication.target('video')).toEqual({ ip: '127.0.0.1', port: 40_000, rtcpPort: 40_001 });
    publication.publish();
    expect(added).toEqual(['audio', 'video']);
    publication.close();
    expect(r.producers()).toEqual([]);
  });

  it('taps the current producers audio first, paused until started', async () => {
    const { room: r, origin } = await room();
    r.addProducer(producer('video'));
    r.addProducer(producer('audio'));
    const tap = await r.openRtpTap();
    expect(tap.kinds).toEqual(['audio', 'video']);
    expect(tap.sdp).toMatch(/m=audio \d+ RTP\/AVP 100\r\na=rtpmap:100 opus\/48000\/2\r\n[^]*m=video \d+ RTP\/AVP 101\r\na=rtpmap:101 VP8\/90000\r\n/);
    const consumers = origin.transports.flatMap((t) => t.consumers);
    expect(consumers.map((c) => c.paused)).toEqual([true, true]);
    await tap.start();
    expect(consumers.map((c) => c.paused)).toEqual([false, false]);
  });

  it('loses everything when its worker dies, and says why', async () => {
    const { room: r, origin } = await room();
    const tap = await r.openRtpTap();
    const reasons: MediaRoomCloseReason[] = [];
    r.on('closed', (reason) => reasons.push(reason));
    origin.workerDied();
    expect(reasons).toEqual(['workerDied']);
    expect(r.closed).toBe(true);
    expect(tap.closed).toBe(true);
    await expect(r.openRtpTap()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
