import fs from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../shared/events';
import { recordingFiles } from '../../shared/recordingLayout';
import { MEDIA_NAMESPACE } from '../../shared/signalling';
import { ChatTestClient, randomToken } from '../helpers/ChatTestClient';
import { SignallingClient } from '../helpers/SignallingClient';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Running events over REST (issue 12): editing, rescheduling, cancelling and deleting, against the real
 * server. Only the event's organizer (its key or the instance key) changes it; a refused request changes
 * nothing; repeated and concurrent requests leave one consistent event.
 */

let test: TestServer;
const media: SignallingClient[] = [];

beforeAll(async () => {
  test = await startTestServer();
});
afterAll(async () => {
  await test.close();
});
afterEach(() => {
  for (const client of media.splice(0)) client.close();
  ChatTestClient.closeAll();
});

function api(route: string, key: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  return fetch(`${test.url}/api${route}`, { ...init, headers });
}

const edit = (slug: string, key: string | undefined, body: unknown) =>
  api(`/events/${slug}`, key, { method: 'PATCH', body: JSON.stringify(body) });
const cancel = (slug: string, key: string | undefined) => api(`/events/${slug}/cancel`, key, { method: 'POST' });
const remove = (slug: string, key: string | undefined, query = '') => api(`/events/${slug}${query}`, key, { method: 'DELETE' });

async function eventOf(slug: string): Promise<PublicEvent> {
  const response = await api(`/events/${slug}`, undefined);
  expect(response.status).toBe(200);
  return (await response.json()) as PublicEvent;
}

async function attendee(slug: string): Promise<SignallingClient> {
  const client = await SignallingClient.connect(test.url, MEDIA_NAMESPACE, { forceNew: true });
  media.push(client);
  await client.ok('join', { slug });
  return client;
}

function chatRows(slug: string): number {
  const db = new BetterSqlite3(path.join(test.dataDir, 'jalsa.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM chat_entries WHERE slug = ?').get(slug) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('editing an event', () => {
  it('changes the title and the time for its organizer, and counts the change in the revision', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    const response = await edit(slug, eventKey, { title: 'Evening rally', scheduledAt: '2030-01-02T15:00:00+05:00', revision: 0 });
    expect(response.status).toBe(200);
    expect(await eventOf(slug)).toMatchObject({
      title: 'Evening rally',
      scheduledAt: '2030-01-02T10:00:00.000Z',
      status: 'scheduled',
      revision: 1,
    });
  });

  it('refuses a wrong key, another event’s key and no key, and changes nothing', async () => {
    const { slug } = await createEvent(test, 'Rally');
    const other = await createEvent(test, 'Other rally');
    const before = await eventOf(slug);
    for (const key of [randomToken(32), other.eventKey, undefined]) {
      expect((await edit(slug, key, { title: 'Hijacked' })).status).toBe(401);
      expect((await cancel(slug, key)).status).toBe(401);
      expect((await remove(slug, key)).status).toBe(401);
    }
    expect(await eventOf(slug)).toEqual(before);
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    const before = await eventOf(slug);
    for (const body of [{}, { title: '   ' }, { scheduledAt: 'tomorrow' }, { title: 'x'.repeat(201) }, { title: 'A', slug: 'b' }]) {
      const response = await edit(slug, eventKey, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
    expect((await remove(slug, eventKey, '?recordings=shred')).status).toBe(400);
    expect(await eventOf(slug)).toEqual(before);
  });

  it('lets one of two concurrent edits of the same revision win and refuses the other, whole', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    const [first, second] = await Promise.all([
      edit(slug, eventKey, { title: 'First', scheduledAt: '2030-01-01T10:00:00Z', revision: 0 }),
      edit(slug, test.server.instanceKey, { title: 'Second', scheduledAt: null, revision: 0 }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const winner = first.status === 200 ? { title: 'First', scheduledAt: '2030-01-01T10:00:00.000Z' } : { title: 'Second', scheduledAt: null };
    expect(await eventOf(slug)).toMatchObject({ ...winner, revision: 1 });
  });

  it('answers a repeated edit as the first, and refuses a late one made on an older revision', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    expect((await edit(slug, eventKey, { title: 'Second', revision: 0 })).status).toBe(200);
    expect((await edit(slug, eventKey, { title: 'Second', revision: 0 })).status).toBe(200);
    expect((await edit(slug, eventKey, { title: 'Third', revision: 1 })).status).toBe(200);
    // The request for "Second" sent again after "Third": it must not undo the newer title.
    const late = await edit(slug, eventKey, { title: 'Second', revision: 0 });
    expect(late.status).toBe(409);
    expect(await eventOf(slug)).toMatchObject({ title: 'Third', revision: 2 });
  });
});

describe('cancelling an event', () => {
  it('shows the event cancelled, tells waiting attendees, and is idempotent', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    const waiting = await attendee(slug);
    const told = waiting.next<PublicEvent>('eventUpdated');
    const response = await cancel(slug, eventKey);
    expect(response.status).toBe(200);
    expect(await told).toMatchObject({ slug, status: 'cancelled' });
    expect((await cancel(slug, eventKey)).status).toBe(200);
    expect(await eventOf(slug)).toMatchObject({ status: 'cancelled' });
    const listed = (await (await api('/events', undefined)).json()) as { events: PublicEvent[] };
    expect(listed.events.find((event) => event.slug === slug)?.status).toBe('cancelled');
  });

  it('is final: a cancelled event is not rescheduled and does not go live', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    await cancel(slug, eventKey);
    expect((await edit(slug, eventKey, { scheduledAt: '2030-01-01T10:00:00Z' })).status).toBe(409);
    expect(() => test.server.events.goLive(slug)).toThrow(/cancelled/);
    expect(await eventOf(slug)).toMatchObject({ status: 'cancelled', scheduledAt: null });
  });
});

describe('deleting an event', () => {
  it('removes it, its chat and its pictures; deleting again answers the same, and other keys stay refused', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rally');
    // The title slide shown while the camera is off, rendered for the event.
    const slide = await test.server.stills.picture(slug);
    await fs.access(slide);
    const other = await createEvent(test, 'Other rally');
    const chatter = await ChatTestClient.open(test.url);
    await chatter.join(slug);
    expect(await chatter.request('send', { clientId: randomToken(9), name: 'Chatter', text: 'hello' })).toMatchObject({ ok: true });
    expect(chatRows(slug)).toBe(1);
    const waiting = await attendee(slug);
    const told = waiting.next<{ reason: string }>('reconnect');

    expect((await remove(slug, eventKey)).status).toBe(204);
    expect(await told).toEqual({ reason: 'eventDeleted' });
    expect(await waiting.request('join', { slug })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(chatRows(slug)).toBe(0);
    await expect(fs.access(path.dirname(slide))).rejects.toThrow();
    expect((await api(`/events/${slug}`, undefined)).status).toBe(404);
    const listed = (await (await api('/events', undefined)).json()) as { events: PublicEvent[] };
    expect(listed.events.map((event) => event.slug)).not.toContain(slug);

    expect((await remove(slug, eventKey)).status).toBe(204);
    expect((await remove(slug, test.server.instanceKey)).status).toBe(204);
    expect((await remove(slug, other.eventKey)).status).toBe(401);
    expect((await edit(slug, eventKey, { title: 'Back' })).status).toBe(401);
  });

  it('refuses a live event until it is ended, then removes the recording when asked', async () => {
    const { slug, eventKey } = await createEvent(test, 'Recorded rally');
    const publisher = await publishTestPattern(test, slug);
    const dir = test.server.hls.recordingDir(slug);
    try {
      await expect.poll(() => fs.access(path.join(dir, recordingFiles.master)).then(() => true, () => false), { timeout: 20_000 }).toBe(true);
      const refused = await remove(slug, eventKey, '?recordings=remove');
      expect(refused.status).toBe(409);
      expect(await refused.json()).toMatchObject({ error: { code: 'INVALID_STATE', message: expect.stringMatching(/end it/) } });
      expect(await eventOf(slug)).toMatchObject({ status: 'live' });
    } finally {
      publisher.close();
    }
    test.server.events.end(slug);
    expect((await remove(slug, eventKey, '?recordings=remove')).status).toBe(204);
    await expect(fs.access(dir)).rejects.toThrow();
    expect((await api(`/replays/${slug}`, undefined)).status).toBe(404);
  });

  it('keeps the recording’s files by default', async () => {
    const { slug, eventKey } = await createEvent(test, 'Kept rally');
    const dir = test.server.hls.recordingDir(slug);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, recordingFiles.master), '#EXTM3U\n');
    expect((await remove(slug, eventKey)).status).toBe(204);
    expect(await fs.readFile(path.join(dir, recordingFiles.master), 'utf8')).toBe('#EXTM3U\n');
  });
});

describe('the event list', () => {
  it('answers 304 to its ETag until an event changes, then the new list with a new ETag', async () => {
    const { slug, eventKey } = await createEvent(test, 'Polled rally');
    const first = await api('/events', undefined);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"events-[0-9a-f]+-\d+"$/);
    const unchanged = await fetch(`${test.url}/api/events`, { headers: { 'if-none-match': etag! } });
    expect(unchanged.status).toBe(304);
    // As a compressing proxy hands it on, and a browser sends it back.
    expect((await fetch(`${test.url}/api/events`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);

    await edit(slug, eventKey, { title: 'Renamed rally' });
    const changed = await fetch(`${test.url}/api/events`, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const { events } = (await changed.json()) as { events: PublicEvent[] };
    expect(events.find((event) => event.slug === slug)?.title).toBe('Renamed rally');
  });
});
