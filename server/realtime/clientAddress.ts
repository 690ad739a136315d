import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The address a Socket.io connection comes from. Behind a reverse proxy on this machine (the only proxy
 * trusted, as for HTTP requests) that is the last address the proxy added to X-Forwarded-For; anything
 * before it was written by the client and proves nothing.
 */
export function clientAddress(handshake: { address: string; headers: IncomingHttpHeaders }): string {
  const forwarded = handshake.headers['x-forwarded-for'];
  if (!LOOPBACK.has(handshake.address) || forwarded === undefined) return handshake.address;
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',').at(-1)?.trim();
  return last || handshake.address;
}
