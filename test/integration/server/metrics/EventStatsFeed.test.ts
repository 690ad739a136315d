import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FfmpegPublisher } from '../../../../server/sfu/FfmpegPublisher';
import { EventStats } from '../../../../shared/signalling';
import { SignallingClient } from '../../../helpers/SignallingClient';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../../../helpers/testServer';

let test: TestServer;
let publisher: FfmpegPublisher;
const clients: SignallingClient[] = [];

async function connect(): Promise<SignallingClient> {
  const client = await SignallingClient.connect(test.url, undefined, { forceNew: true });
  clients.push(client);
  return client;
}

/** Collects every eventStats notification a client is sent. */
function collectStats(client: SignallingClient): EventStats[] {
  const received: EventStats[] = [];
  client.socket.on('eventStats', (payload: unknown) => received.push(EventStats.parse(payload)));
  return received;
}

/** The next eventStats that satisfies `check`, within a few rounds of the feed. */
function nextStats(client: SignallingClient, check: (stats: EventStats) => boolean, timeoutMs = 20_000): Promise<EventStats> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.socket.off('eventStats', listener);
      reject(new Error(`no matching eventStats within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: unknown) => {
      const stats = EventStats.parse(payload);
      if (!check(stats)) return;
      clearTimeout(timer);
      client.socket.off('eventStats', listener);
      resolve(stats);
    };
    client.socket.on('eventStats', listener);
  });
}

beforeAll(async () => {
  test = await startTestServer();
});
afterAll(async () => {
  for (const client of clients) client.close();
  publisher?.close();
  await test?.close();
});

describe('live figures for the organizer', () => {
  it('sends the organizer of a live event its audience by mode, ingest, packager, chat rate and seats — and nobody else', async () => {
    const { slug, eventKey } = await createEvent(test, 'Dashboard rally');
    const other = await createEvent(test, 'Other rally');
    const organizer = await connect();
    await organizer.ok('join', { slug, key: eventKey });
    await organizer.ok('goLive', {});
    publisher = await publishTestPattern(test, slug, { width: 320, height: 180 });
    const otherOrganizer = await connect();
    await otherOrganizer.ok('join', { slug: other.slug, key: other.eventKey });
    const sentToOtherOrganizer = collectStats(otherOrganizer);

    const watcher = await connect();
    await watcher.ok('join', { slug });
    await watcher.ok('reportPlayback', { mode: 'webrtc' });
    await watcher.ok('createTransport', { direction: 'recv' });
    const sentToAttendee = collectStats(watcher);
    for (const mode of ['hls-video', 'audio-only', 'audio-only']) {
      const attendee = await connect();
      await attendee.ok('join', { slug });
      await attendee.ok('reportPlayback', { mode });
    }

    const stats = await nextStats(
      organizer,
      (s) => s.packager === 'running' && s.ingest.length === 2 && s.ingest.every((i) => i.bitrateBps > 0),
      40_000,
    );
    expect(stats.attendees).toEqual({ webrtc: 1, 'hls-video': 1, 'audio-only': 2 });
    expect(stats.ingest.map((i) => i.kind).sort()).toEqual(['audio', 'video']);
    expect(stats.webrtcSeats).toEqual({ used: 1, capacity: test.server.config.sfu.seatsPerWorker });
    expect(stats.chatPerMinute).toBe(0);

    expect(sentToAttendee).toEqual([]);
    expect(sentToOtherOrganizer.length).toBeGreaterThan(0);
    expect(sentToOtherOrganizer.at(-1)).toMatchObject({ attendees: { webrtc: 0, 'hls-video': 0, 'audio-only': 0 }, ingest: [] });
  });

  it('stops sending figures to a connection that re-joined as an attendee', async () => {
    const { slug, eventKey } = await createEvent(test, 'Handed-over rally');
    const client = await connect();
    await client.ok('join', { slug, key: eventKey });
    await nextStats(client, () => true);
    await client.ok('join', { slug });
    const received = collectStats(client);
    const organizer = await connect();
    await organizer.ok('join', { slug, key: eventKey });
    await nextStats(organizer, () => true);
    await nextStats(organizer, () => true);
    expect(received).toEqual([]);
  });
});
