import { Router, type Request } from 'express';
import { Slug } from '../../shared/events';
import { RTMP_APP, type RtmpSettingsResponse } from '../../shared/rtmp';
import { BadRequestError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import type { RtmpIngest } from '../rtmp/RtmpIngest';
import { bearerKey } from './bearerKey';

export interface RtmpRouteOptions {
  /** Undefined when this server takes no RTMP. */
  ingest: RtmpIngest | undefined;
  /** `host[:port]` to show, when configured (RTMP_PUBLIC_ADDRESS). */
  publicAddress: string | undefined;
  /** The server's PUBLIC_URL, whose host the encoder most likely reaches too. */
  publicUrl: string | undefined;
}

/**
 * `GET /api/events/:slug/rtmp`, for the event's organizer: the server URL OBS needs and the encoder's
 * status. The stream key is not in the answer: the studio makes it from the key it already holds
 * (see shared/rtmp.ts), so no response carries a key the request did not.
 */
export function rtmpRoutes(events: EventService, { ingest, publicAddress, publicUrl }: RtmpRouteOptions): Router {
  const router = Router();

  router.get('/api/events/:slug/rtmp', (req, res) => {
    const slug = Slug.safeParse(req.params.slug);
    if (!slug.success) throw new BadRequestError('malformed event id');
    const key = bearerKey(req);
    if (!key || !events.isOrganizer(slug.data, key)) throw new UnauthorizedError();
    const body: RtmpSettingsResponse = {
      serverUrl: ingest ? `rtmp://${publicAddress ?? `${publicHost(req, publicUrl)}:${ingest.port}`}/${RTMP_APP}` : null,
      status: ingest?.status(slug.data) ?? null,
    };
    res.set('Cache-Control', 'no-store').json(body);
  });

  return router;
}

/** The host attendees reach this server by: PUBLIC_URL's, else the one the studio itself was opened from. */
function publicHost(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).hostname;
  // `req.hostname` drops the port; a bare IPv6 address needs its brackets back in a URL.
  return req.hostname.includes(':') ? `[${req.hostname}]` : req.hostname;
}
