import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHIP_OFFER_MAX_BYTES, whipEndpointPath } from '../../shared/whip';
import { createEvent, startTestServer, type TestServer } from '../helpers/testServer';
import { whipOffer } from '../helpers/whipOffer';

/**
 * WHIP against a hostile or mistaken client: only the event's organizer key publishes, and every refusal
 * (wrong key, another event's key, a bad or oversized offer, a second encoder, a stranger's DELETE)
 * changes nothing. The offers here never connect (no browser): a session they open exists until its
 * connect timeout.
 */
const CONNECT_TIMEOUT_MS = 5_000;
let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ WEBRTC_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) });
});

afterAll(async () => {
  await test?.close();
});

function post(slug: string, key: string | undefined, body: string, contentType = 'application/sdp'): Promise<Response> {
  return fetch(`${test.url}${whipEndpointPath(slug)}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body,
  });
}

function remove(resource: string, key: string | undefined): Promise<Response> {
  return fetch(`${test.url}${resource}`, { method: 'DELETE', headers: key ? { Authorization: `Bearer ${key}` } : {} });
}

/** Nothing happened to the event: not live, no media room, no WHIP session. */
function expectUntouched(slug: string): void {
  expect(test.server.events.get(slug).status).toBe('scheduled');
  expect(test.server.rooms.get(slug)).toBeUndefined();
  expect(test.server.whip.isPublishing(slug)).toBe(false);
}

describe('WHIP publishing is for the event’s organizer only', () => {
  it('refuses a missing key, a wrong key and another event’s key with 401, changing nothing', async () => {
    const { slug } = await createEvent(test, 'Targeted rally');
    const other = await createEvent(test, 'Another rally');
    const answers = await Promise.all([
      post(slug, undefined, whipOffer()),
      post(slug, 'k'.repeat(43), whipOffer()),
      post(slug, other.eventKey, whipOffer()),
      post(slug, 'not a key at all!', whipOffer()),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(answers.every((a) => a.headers.get('Location') === null)).toBe(true);
    expectUntouched(slug);
    expectUntouched(other.slug);
  });

  it('answers 404 for an event that does not exist', async () => {
    const { eventKey } = await createEvent(test, 'Real rally');
    expect((await post('no-such-event', eventKey, whipOffer())).status).toBe(404);
    expect((await post('Not_A_Slug', eventKey, whipOffer())).status).toBe(404);
  });

  it('refuses a malformed, unusable, oversized or mistyped offer with a clear error, changing nothing', async () => {
    const { slug, eventKey } = await createEvent(test, 'Bad offers');
    const cases: [string, Response][] = [
      ['not SDP', await post(slug, eventKey, 'hello')],
      ['garbage after v=0', await post(slug, eventKey, 'v=0\r\nm=banana\r\n\u0000\u0001')],
      ['no fingerprint', await post(slug, eventKey, whipOffer().replace(/a=fingerprint:.*\r\n/g, ''))],
      ['only G.711 audio', await post(slug, eventKey, whipOffer({ video: false }).replace(/a=rtpmap:111 opus\/48000\/2\r\n/, ''))],
      ['receive-only', await post(slug, eventKey, whipOffer().replaceAll('a=sendonly', 'a=recvonly'))],
    ];
    for (const [name, response] of cases) {
      expect(response.status, name).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code, name).toBe('BAD_REQUEST');
      expect(body.error.message.length, name).toBeGreaterThan(10);
    }
    const oversized = await post(slug, eventKey, whipOffer() + `a=x-padding:${'x'.repeat(WHIP_OFFER_MAX_BYTES)}\r\n`);
    expect(oversized.status).toBe(413);
    const mistyped = await post(slug, eventKey, whipOffer(), 'application/json');
    expect(mistyped.status).toBe(415);
    expect(mistyped.headers.get('Accept-Post')).toBe('application/sdp');
    expectUntouched(slug);
  });

  it('refuses a second encoder with 409 while one holds the event, leaving the first in place', async () => {
    const { slug, eventKey } = await createEvent(test, 'One encoder');
    const first = await post(slug, eventKey, whipOffer());
    expect(first.status).toBe(201);
    const resource = first.headers.get('Location')!;
    const second = await post(slug, eventKey, whipOffer({ video: 'H264' }));
    expect(second.status).toBe(409);
    expect(test.server.whip.isPublishing(slug)).toBe(true);
    // The first session never connected: the event is not live and nobody's media was replaced.
    expect(test.server.events.get(slug).status).toBe('scheduled');
    expect(test.server.rooms.get(slug)?.producers()).toEqual([]);
    expect((await remove(resource, eventKey)).status).toBe(200);
  });

  it('lets no stranger stop a session: DELETE needs the key and the session’s own resource', async () => {
    const { slug, eventKey } = await createEvent(test, 'Stop me not');
    const other = await createEvent(test, 'Stranger’s rally');
    const resource = (await post(slug, eventKey, whipOffer())).headers.get('Location')!;
    expect(resource).toMatch(/^\/whip\/[a-z0-9-]+\/[0-9a-f]{32}$/);
    const refused = await Promise.all([
      remove(resource, undefined),
      remove(resource, other.eventKey),
      remove(`${whipEndpointPath(slug)}/${'0'.repeat(32)}`, eventKey),
      remove(`${whipEndpointPath(slug)}/not-a-session`, eventKey),
      // The stranger's own event and key, with this session's id.
      remove(resource.replace(slug, other.slug), other.eventKey),
    ]);
    expect(refused.map((r) => r.status)).toEqual([401, 401, 404, 404, 404]);
    expect(test.server.whip.isPublishing(slug)).toBe(true);
    expect((await remove(resource, eventKey)).status).toBe(200);
    expect(test.server.whip.isPublishing(slug)).toBe(false);
    expect((await remove(resource, eventKey)).status).toBe(404);
  });

  it('answers PATCH (trickle ICE, ICE restart) with 405: the server is ICE-lite and gives every candidate at once', async () => {
    const { slug, eventKey } = await createEvent(test, 'No trickle');
    const resource = (await post(slug, eventKey, whipOffer())).headers.get('Location')!;
    const patch = await fetch(`${test.url}${resource}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', Authorization: `Bearer ${eventKey}` },
      body: 'a=ice-ufrag:x\r\n',
    });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('Allow')).toBe('DELETE');
    expect((await remove(resource, eventKey)).status).toBe(200);
  });

  it('stops the encoder when the key that started it is rotated', async () => {
    const { slug, eventKey } = await createEvent(test, 'Rotated');
    expect((await post(slug, eventKey, whipOffer())).status).toBe(201);
    const rotated = await fetch(`${test.url}/api/events/${slug}/key`, { method: 'POST', headers: { Authorization: `Bearer ${eventKey}` } });
    expect(rotated.status).toBe(200);
    expect(test.server.whip.isPublishing(slug)).toBe(false);
    expect((await post(slug, eventKey, whipOffer())).status).toBe(401);
  });

  it('closes a session whose encoder never connects, and then takes the next one', async () => {
    const { slug, eventKey } = await createEvent(test, 'Never connected');
    expect((await post(slug, eventKey, whipOffer())).status).toBe(201);
    await expect.poll(() => test.server.whip.isPublishing(slug), { timeout: CONNECT_TIMEOUT_MS + 10_000 }).toBe(false);
    const next = await post(slug, eventKey, whipOffer());
    expect(next.status).toBe(201);
    expect((await remove(next.headers.get('Location')!, eventKey)).status).toBe(200);
  });
});
