import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../helpers/ChatTestClient';
import { startTestServer, type TestServer } from '../helpers/testServer';

/**
 * Attacks on the HTTP surface: a page that frames the studio to clickjack an organizer, a response the
 * browser could sniff into script, and guessing the `/metrics` token. The server answers with the
 * defences set and refuses every wrong token, while the right one and ordinary requests still work.
 */
const METRICS_TOKEN = randomToken(24);
let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ METRICS_TOKEN });
});

afterAll(() => test?.close());

const defences = (response: Response) => ({
  csp: response.headers.get('content-security-policy'),
  nosniff: response.headers.get('x-content-type-options'),
  frameOptions: response.headers.get('x-frame-options'),
  referrer: response.headers.get('referrer-policy'),
});

describe('security headers', () => {
  it.each(['/studio', '/e/some-rally', '/api/events', '/healthz'])('%s cannot be framed or sniffed, and leaks no referrer', async (path) => {
    const response = await fetch(`${test.url}${path}`);
    expect(response.status).toBe(200);
    const headers = defences(response);
    expect(headers.csp).toContain("frame-ancestors 'none'");
    expect(headers.csp).toContain("default-src 'self'");
    expect(headers.csp).toContain("script-src 'self'");
    expect(headers.csp).not.toContain('unsafe-eval');
    expect(headers.csp).not.toContain('upgrade-insecure-requests');
    expect(headers.nosniff).toBe('nosniff');
    expect(headers.frameOptions).toBe('DENY');
    expect(headers.referrer).toBe('no-referrer');
  });
});

describe('/metrics with METRICS_TOKEN set', () => {
  const scrape = (authorization?: string) =>
    fetch(`${test.url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });

  it('refuses a wrong token of the same length, of another length, a prefix of it and none at all', async () => {
    const sameLength = randomToken(24);
    expect(sameLength).toHaveLength(METRICS_TOKEN.length);
    for (const authorization of [
      `Bearer ${sameLength}`,
      `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${randomToken(64)}`,
      `Basic ${METRICS_TOKEN}`,
      'Bearer ',
      undefined,
    ]) {
      const response = await scrape(authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(await response.text()).not.toContain('jalsa_');
    }
  });

  it('still answers the scraper that sends the right token', async () => {
    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('jalsa_');
  });
});
