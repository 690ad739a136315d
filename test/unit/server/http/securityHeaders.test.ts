import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../../../server/http/securityHeaders';

describe('securityHeaders and mirrors', () => {
  let url: string;
  let close: () => void;

  beforeAll(async () => {
    const app = express();
    app.use(
      securityHeaders((slug) => {
        if (slug !== 'rally-1') throw new Error('no such event');
        return ['https://eu.example', 'http://127.0.0.1:9000'];
      }),
    );
    app.get('/{*any}', (_req, res) => res.send('ok'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const csp = async (path: string) => (await fetch(`${url}${path}`)).headers.get('content-security-policy') ?? '';

  it('lets an event\'s watch page connect to that event\'s mirrors', async () => {
    expect(await csp('/e/rally-1')).toContain("connect-src 'self' https://eu.example http://127.0.0.1:9000;");
  });

  it('lets no other page, nor an unknown event\'s, connect anywhere but its own origin', async () => {
    for (const path of ['/', '/studio', '/e/rally-2', '/e/rally-1/../x']) expect(await csp(path)).toMatch(/connect-src 'self' ?;/);
  });
});
