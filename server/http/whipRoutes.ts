import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ErrorBody } from '../../shared/errors';
import { Slug } from '../../shared/events';
import { WHIP_CONTENT_TYPE, WHIP_OFFER_MAX_BYTES, WhipOfferBody, WhipSessionId, whipResourcePath } from '../../shared/whip';
import { BadRequestError, NotFoundError, TooLargeError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import { hashKey } from '../events/organizerKeys';
import type { WhipIngest } from '../sfu/WhipIngest';
import { bearerKey } from './bearerKey';

const offerBody = express.text({ type: WHIP_CONTENT_TYPE, limit: WHIP_OFFER_MAX_BYTES });

/**
 * WHIP (RFC 9725) for encoders such as OBS: `POST /whip/<slug>` with the event's organizer key as bearer
 * token and an SDP offer (`application/sdp`) answers `201 Created` with the SDP answer and the session's
 * resource in `Location`; `DELETE` on that resource (same bearer) stops publishing. The server is ICE-lite
 * and answers with all its candidates, so `PATCH` (trickle ICE, ICE restart) is not supported: `405`.
 * Errors: `400` a malformed or unusable offer, `401` a key that does not run this event, `404` an unknown
 * event or session, `409` the event is over or already published over WHIP or from a file, `413` an
 * offer over 32 KB, `415` a body that is not `application/sdp`.
 */
export function whipRoutes(events: EventService, whip: WhipIngest): Router {
  const router = Router();

  router.options('/whip/:slug', (_req, res) => {
    res.set({ Allow: 'OPTIONS, POST', 'Accept-Post': WHIP_CONTENT_TYPE }).status(204).end();
  });

  router.post('/whip/:slug', async (req, res) => {
    const { slug, keyHash } = organizerOf(events, req);
    if (!req.is(WHIP_CONTENT_TYPE)) {
      const error = { code: 'BAD_REQUEST', message: `send the SDP offer as ${WHIP_CONTENT_TYPE}` } satisfies ErrorBody;
      res.status(415).set('Accept-Post', WHIP_CONTENT_TYPE).json({ error });
      return;
    }
    // Read only once the organizer is known: nobody else makes this server parse an SDP.
    const offer = WhipOfferBody.safeParse(await readOffer(req, res));
    if (!offer.success) throw new BadRequestError(z.prettifyError(offer.error));
    const session = await whip.open(slug, keyHash, offer.data);
    res
      .status(201)
      .set({ 'Content-Type': WHIP_CONTENT_TYPE, Location: whipResourcePath(slug, session.id), 'Cache-Control': 'no-store' })
      .send(session.answer);
  });

  router.delete('/whip/:slug/:session', (req, res) => {
    const { slug } = organizerOf(events, req);
    const sessionId = WhipSessionId.safeParse(req.params.session);
    if (!sessionId.success) throw new NotFoundError('WHIP session');
    whip.stop(slug, sessionId.data);
    res.status(200).set('Cache-Control', 'no-store').end();
  });

  // Trickle ICE and ICE restarts need PATCH; an ICE-lite server with every candidate in its answer does not.
  router.patch('/whip/:slug/:session', (_req, res) => {
    const error = { code: 'BAD_REQUEST', message: 'this server does not support trickle ICE or ICE restarts: POST a new offer instead' } satisfies ErrorBody;
    res.set('Allow', 'DELETE').status(405).json({ error });
  });

  return router;
}

/**
 * The event a WHIP request names and the hash of the key that runs it. An unknown event is `404` before
 * the key is looked at (as the rest of the API does); a missing, malformed or wrong key (another event's
 * included) is `401`.
 */
function organizerOf(events: EventService, req: Request): { slug: string; keyHash: string } {
  const slug = Slug.safeParse(req.params.slug);
  if (!slug.success) throw new NotFoundError('event');
  events.get(slug.data);
  const key = bearerKey(req);
  if (!key || !events.isOrganizer(slug.data, key)) throw new UnauthorizedError('the event’s organizer key is required as the bearer token');
  return { slug: slug.data, keyHash: hashKey(key) };
}

/** The offer as text; `413` past the limit. */
function readOffer(req: Request, res: Response): Promise<string> {
  return new Promise((resolve, reject) => {
    offerBody(req, res, (error?: unknown) => {
      if (error === undefined) resolve(typeof req.body === 'string' ? req.body : '');
      else if (error instanceof Error && 'status' in error && error.status === 413) reject(new TooLargeError(`an SDP offer has at most ${WHIP_OFFER_MAX_BYTES} bytes`));
      else reject(new BadRequestError('the offer could not be received'));
    });
  });
}
