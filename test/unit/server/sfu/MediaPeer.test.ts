import type { types } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../server/logger';
import { MediaPeer } from '../../../../server/sfu/MediaPeer';
import { MediaRoom } from '../../../../server/sfu/MediaRoom';
import { WebRtcSeats } from '../../../../server/sfu/WebRtcSeats';
import { TokenBucket } from '../../../../server/realtime/TokenBucket';
import { asMediasoup, FakeProducer, fakePool, type FakeRouter, transportSettings } from '../../../helpers/fakeMediasoup';

/** A connection's allowance of receive transports as the server gives it: a few, then one per 30 s. */
const allowance = (burst = 3) => new TokenBucket(burst, 1 / 30);

const capabilities = asMediasoup<types.RtpCapabilities>({ codecs: [] });
const rtpParameters = asMediasoup<types.RtpParameters>({ codecs: [], encodings: [] });

async function liveRoom() {
  const { pool, workers } = fakePool(1);
  const seats = new WebRtcSeats(10);
  const room = await MediaRoom.create('rally', pool, seats, transportSettings, createLogger('silent'));
  const audio = new FakeProducer('audio');
  const video = new FakeProducer('video');
  room.addProducer(asMediasoup(audio));
  room.addProducer(asMediasoup(video));
  return { room, seats, audio, video, origin: workers[0]!.routers[0]! };
}

/** An attendee receiving both of the organizer's producers, having asked to resume those of `resumed`. */
async function attendee(resumed: ('audio' | 'video')[]) {
  const { room, audio, video, origin } = await liveRoom();
  const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
  await peer.createTransport('recv');
  const consumerIds: Record<string, string> = {};
  for (const producer of [audio, video]) {
    const { consumerId } = await peer.consume(producer.id, capabilities);
    consumerIds[producer.kind] = consumerId;
    if (resumed.includes(producer.kind)) await peer.resumeConsumer(consumerId);
  }
  return { peer, consumerIds, paused: () => pausedByKind(origin) };
}

function pausedByKind(router: FakeRouter): Record<string, boolean> {
  const consumers = router.transports.filter((t) => t.type === 'webrtc').flatMap((t) => t.consumers);
  return Object.fromEntries(consumers.map((c) => [c.kind, c.paused]));
}

describe('MediaPeer: audio only', () => {
  it('pauses the resumed video consumer while audio-only, and resumes it after; audio plays on', async () => {
    const { peer, paused } = await attendee(['audio', 'video']);
    await peer.setAudioOnly(true);
    expect(paused()).toEqual({ audio: false, video: true });
    await peer.setAudioOnly(false);
    expect(paused()).toEqual({ audio: false, video: false });
  });

  it('leaves a video consumer the client never resumed paused when audio-only ends', async () => {
    const { peer, paused } = await attendee(['audio']);
    await peer.setAudioOnly(true);
    await peer.setAudioOnly(false);
    expect(paused()).toEqual({ audio: false, video: true });
  });

  it('keeps video paused when the client resumes it during audio-only, and plays it once audio-only ends', async () => {
    const { peer, consumerIds, paused } = await attendee(['audio']);
    await peer.setAudioOnly(true);
    await peer.resumeConsumer(consumerIds.video!);
    expect(paused()).toEqual({ audio: false, video: true });
    await peer.setAudioOnly(false);
    expect(paused()).toEqual({ audio: false, video: false });
  });
});

describe('MediaPeer: roles and state', () => {
  it('lets only an organizer send', async () => {
    const { room } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
    await expect(peer.createTransport('send')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('makes an attendee’s receive transports only within its allowance; an organizer needs none', async () => {
    const { room, seats } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance(2));
    await peer.createTransport('recv');
    await peer.createTransport('recv');
    await expect(peer.createTransport('recv')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(seats.used).toBe(1);
    const organizer = new MediaPeer(room, 'organizer', () => undefined, allowance(0));
    expect(await organizer.createTransport('recv')).toHaveProperty('id');
  });

  it('refuses to consume before a receive transport exists, and a producer the room does not have', async () => {
    const { room, audio } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
    await expect(peer.consume(audio.id, capabilities)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await peer.createTransport('recv');
    await expect(peer.consume('no-such-producer', capabilities)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers the organizer’s produce even when a producerAdded listener throws', async () => {
    const { room } = await liveRoom();
    room.on('producerAdded', () => {
      throw new Error('a buggy listener');
    });
    const organizer = new MediaPeer(room, 'organizer', () => undefined, allowance());
    const { id } = await organizer.createTransport('send');
    const { producerId } = await organizer.produce(id, 'audio', rtpParameters);
    expect(room.producers()).toContainEqual({ producerId, kind: 'audio' });
  });

  it('refuses a second transport of a direction while the first is being made, and keeps one seat', async () => {
    const { room, seats } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
    const results = await Promise.allSettled([peer.createTransport('recv'), peer.createTransport('recv')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { code: 'INVALID_STATE' } });
    expect(seats.used).toBe(1);
    // Asked again once made: the transport is replaced and its seat given back.
    await peer.createTransport('recv');
    expect(seats.used).toBe(1);
  });

  it('closes a transport made while the peer closed, and gives its seat back', async () => {
    const { room, seats, origin } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
    const made = peer.createTransport('recv');
    peer.close();
    await expect(made).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(seats.used).toBe(0);
    expect(origin.transports.filter((t) => t.type === 'webrtc' && !t.closed)).toEqual([]);
  });

  it('consumes each producer once: a second consume is refused until the first consumer closes', async () => {
    const { room, video, origin } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
    await peer.createTransport('recv');
    const twice = [peer.consume(video.id, capabilities), peer.consume(video.id, capabilities)];
    const results = await Promise.allSettled(twice);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { code: 'INVALID_STATE' } });
    await expect(peer.consume(video.id, capabilities)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const open = () => origin.transports.flatMap((t) => t.consumers).filter((c) => !c.closed);
    expect(open()).toHaveLength(1);

    open()[0]!.close();
    await peer.consume(video.id, capabilities);
    expect(open()).toHaveLength(1);
  });

  it('refuses everything once closed', async () => {
    const { room } = await liveRoom();
    const peer = new MediaPeer(room, 'attendee', () => undefined, allowance());
    peer.close();
    await expect(peer.createTransport('recv')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
