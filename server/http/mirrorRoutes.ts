import express, { Router } from 'express';
import { Slug } from '../../shared/events';
import { MirrorSettings, type MirrorSettingsResponse } from '../../shared/mirrors';
import { steeringManifest, STEERING_TTL_SECONDS } from '../../shared/steering';
import type { EventService } from '../events/EventService';
import { organizerOf, parse } from './eventRoutes';

/**
 * An event's mirrors: read and replaced by its organizer, and the steering manifest every player
 * reloads. The manifest may be cached for half its TTL (a cache in front answers most reloads), so a
 * changed priority reaches every player within a TTL and a half.
 */
export function mirrorRoutes(events: EventService): Router {
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

  router.get('/api/events/:slug/steering', (req, res) => {
    const slug = parse(Slug, req.params.slug);
    const { mirrors, priority } = events.mirrors(slug);
    res.set('Cache-Control', `public, max-age=${STEERING_TTL_SECONDS / 2}`).json(steeringManifest(slug, mirrors, priority));
  });

  return router;
}
