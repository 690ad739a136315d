import type { RequestHandler } from 'express';
import { RateLimitedError } from '../errors';
import { AddressRateLimiter } from '../realtime/AddressRateLimiter';
import { clientAddress } from '../realtime/clientAddress';

/** An address may spend this many seconds' worth of its rate at once (a page load makes several requests). */
const BURST_SECONDS = 10;

/**
 * Requests per second from one client address (the one {@link clientAddress} trusts: behind the local
 * proxy, the address it reports), answered 429 with a Retry-After past that. Generous, because behind
 * carrier NAT a whole town of phones can share one address; tight enough that one machine cannot keep
 * the server reading its database and disk for nothing.
 */
export function addressRateLimit(perSecond: number): RequestHandler {
  const limiter = new AddressRateLimiter(Math.max(1, perSecond * BURST_SECONDS), perSecond);
  return (req, res, next) => {
    const address = clientAddress({ address: req.socket.remoteAddress ?? '', headers: req.headers });
    if (limiter.take(address)) {
      next();
      return;
    }
    res.set('Retry-After', String(Math.max(1, Math.ceil(limiter.waitMs(address) / 1000))));
    next(new RateLimitedError('too many requests from your network; try again in a moment'));
  };
}
