import { Router, type Request } from 'express';
import { z } from 'zod';
import { CreateEventRequest, DeleteEventQuery, Slug, UpdateEventRequest, type EventResponse } from '../../shared/events';
import { BadRequestError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import { bearerKey } from './bearerKey';

const AuthCheckRequest = z.object({ slug: Slug.optional() });

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(z.prettifyError(parsed.error));
  return parsed.data;
}

/**
 * The event a request names, once its bearer key is shown to run it (with `evenDeleted`, to have run
 * it before it was deleted).
 */
export function organizerOf(events: EventService, req: Request, { evenDeleted = false } = {}): string {
  const slug = parse(Slug, req.params.slug);
  const key = bearerKey(req);
  if (!key || !(evenDeleted ? events.ranEvent(slug, key) : events.isOrganizer(slug, key))) throw new UnauthorizedError();
  return slug;
}

/** The owners of what an event leaves behind besides itself, asked to drop it when the event is deleted. */
export interface EventRemains {
  chat: { removeHistory(slug: string): void };
  recordings: { removeRecording(slug: string): Promise<void> };
  /** The pictures shown instead of a camera (the organizer's, the rendered slates): nobody shows them again. */
  stills: { remove(slug: string): Promise<void> };
}

/** REST for events: public reads, organizer-only creation, edits, cancelling, deleting and keys. */
export function eventRoutes(events: EventService, remains: EventRemains): Router {
  const router = Router();

  /**
   * Pages poll this list to see events go live: the ETag is the store's version of the list, so an
   * unchanged list costs one small read and a 304, never the listing itself. Strong: the version
   * changes with any byte of the answer.
   */
  router.get('/events', (req, res) => {
    const etag = `"events-${events.listVersion()}"`;
    res.set({ 'Cache-Control': 'no-cache', ETag: etag });
    // Compared weakly, as RFC 9110 has it for If-None-Match: a proxy that compresses the answer (nginx's
    // gzip) hands it on as W/"…", and browsers send that back.
    const sent = req.get('if-none-match')?.split(/\s*,\s*/).map((tag) => tag.replace(/^W\//, ''));
    if (sent?.includes(etag)) {
      res.status(304).end();
      return;
    }
    res.json({ events: events.list() });
  });

  router.get('/events/:slug', (req, res) => {
    res.set('Cache-Control', 'no-cache').json(events.get(parse(Slug, req.params.slug)));
  });

  router.post('/events', (req, res) => {
    const key = bearerKey(req);
    if (!key || !events.isInstanceKey(key)) throw new UnauthorizedError();
    res.status(201).json(events.create(parse(CreateEventRequest, req.body)));
  });

  router.patch('/events/:slug', (req, res) => {
    const slug = organizerOf(events, req);
    const body: EventResponse = { event: events.update(slug, parse(UpdateEventRequest, req.body ?? {})) };
    res.json(body);
  });

  router.post('/events/:slug/cancel', (req, res) => {
    const body: EventResponse = { event: events.cancel(organizerOf(events, req)) };
    res.json(body);
  });

  /**
   * Deletes the event, then its chat, its pictures and (when asked) its recording. Each step may be repeated: a second
   * DELETE by the same organizer finishes what a failed first one left (the event itself stays deleted).
   */
  router.delete('/events/:slug', async (req, res) => {
    const slug = organizerOf(events, req, { evenDeleted: true });
    const { recordings } = parse(DeleteEventQuery, req.query);
    events.delete(slug);
    remains.chat.removeHistory(slug);
    await remains.stills.remove(slug);
    if (recordings === 'remove') await remains.recordings.removeRecording(slug);
    res.status(204).end();
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
