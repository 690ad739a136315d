import express, { Router } from 'express';
import { Slug } from '../../shared/events';
import { MirrorSettings, type MirrorSettingsResponse } from '../../shared/mirrors';
import { steeringManifest, STEERING_TTL_SECONDS } from '../../shared/steering';
import { NotFoundError } from '../errors';
import type { EventService } from '../events/EventService';
import { organizerOf, parse } from './eventRoutes';

/**
 * An event's mirrors: read and replaced by its organizer, and the steering manifest every player
 * reloads. The manifest may be cached for half its TTL (a cache in front answers most reloads), so a
 * changed priority reaches every player within a TTL and a half.
 *
 * On an edge, `originMirrors` gives the origin's settings (kept there a few seconds): the edge steers its
 * attendees to the same mirrors in the same order, itself in the origin's place (the relative URIs of
 * the origin's masters, which it serves as they are, resolve to it), and keeps them as its copy's, so its
 * watch pages let those mirrors in (CSP). A changed priority thus reaches an edge's players a few seconds
 * later than the origin's.
 */
export function mirrorRoutes(events: EventService, originMirrors?: (slug: string) => Promise<MirrorSettings | undefined>): Router {
  const router = Router();

  router.get('/api/events/:slug/mirrors', (req, res) => {
    const body: MirrorSettingsResponse = { settings: events.mirrors(organizerOf(events, req)) };
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.put('/api/events/:slug/mirrors', express.json({ limit: '16kb' }), (req, res) => {
    const slug = organizerOf(events, req);
    const body: MirrorSettingsResponse = { settings: events.setMirrors(slug, parse(MirrorSettings, req.body ?? {})) };
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.get('/api/events/:slug/steering', async (req, res) => {
    const slug = parse(Slug, req.params.slug);
    const settings = originMirrors ? await originMirrors(slug) : events.mirrors(slug);
    if (!settings) throw new NotFoundError('event');
    if (originMirrors) events.keepOriginMirrors(slug, settings);
    const { mirrors, priority } = settings;
    res.set('Cache-Control', `public, max-age=${STEERING_TTL_SECONDS / 2}`).json(steeringManifest(slug, mirrors, priority));
  });

  return router;
}
