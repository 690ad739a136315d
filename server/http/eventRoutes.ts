import { Router, type Request } from 'express';
import { z } from 'zod';
import { CreateEventRequest, Slug } from '../../shared/events';
import { BadRequestError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import { bearerKey } from './bearerKey';

const AuthCheckRequest = z.object({ slug: Slug.optional() });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(z.prettifyError(parsed.error));
  return parsed.data;
}

/** The event a request names, once its bearer key is shown to run it. */
function organizerOf(events: EventService, req: Request): string {
  const slug = parse(Slug, req.params.slug);
  const key = bearerKey(req);
  if (!key || !events.isOrganizer(slug, key)) throw new UnauthorizedError();
  return slug;
}

/** REST for events: public reads, organizer-only creation and keys. */
export function eventRoutes(events: EventService): Router {
  const router = Router();

  router.get('/events', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json({ events: events.list() });
  });

  router.get('/events/:slug', (req, res) => {
    res.set('Cache-Control', 'no-cache').json(events.get(parse(Slug, req.params.slug)));
  });

  router.post('/events', (req, res) => {
    const key = bearerKey(req);
    if (!key || !events.isInstanceKey(key)) throw new UnauthorizedError();
    res.status(201).json(events.create(parse(CreateEventRequest, req.body)));
  });

  /** The event's organizer key, as its organizer: made anew (returned once) or revoked; the old one stops now. */
  router.post('/events/:slug/key', (req, res) => {
    const slug = organizerOf(events, req);
    res.set('Cache-Control', 'no-store').json(events.rotateKey(slug));
  });

  router.delete('/events/:slug/key', (req, res) => {
    events.revokeKey(organizerOf(events, req));
    res.status(204).end();
  });

  router.post('/auth/check', (req, res) => {
    const key = bearerKey(req);
    const { slug } = parse(AuthCheckRequest, req.body ?? {});
    const valid = key !== undefined && (slug ? events.isOrganizer(slug, key) : events.isInstanceKey(key));
    if (!valid) throw new UnauthorizedError();
    res.status(204).end();
  });

  return router;
}
