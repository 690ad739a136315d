import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { Router, type Request } from 'express';
import { Slug } from '../../shared/events';
import { BadRequestError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import type { FileBroadcaster, UploadedFiles } from '../sfu/FileBroadcaster';
import { bearerKey } from './bearerKey';
import { drainBody, receiveUpload, type UploadLimits } from './receiveUpload';
import type { UploadSlots } from './UploadSlots';

const UPLOAD_PATH = /^\/api\/events\/[^/?]+\/file-broadcast\/?(\?|$)/;

/**
 * An upload, whose body may take longer than any fixed deadline on a slow link: it is watched for
 * idleness instead (see {@link receiveUpload}).
 */
export function isUploadRequest(req: http.IncomingMessage): boolean {
  return req.method === 'POST' && UPLOAD_PATH.test(req.url ?? '');
}

/** Receives the upload into a directory of its own, removed again if the upload fails. */
async function receiveInto(uploadsDir: string, slug: string, req: Request, limits: UploadLimits): Promise<UploadedFiles> {
  const dir = path.join(uploadsDir, slug, crypto.randomBytes(8).toString('hex'));
  await fsp.mkdir(dir, { recursive: true });
  try {
    return await receiveUpload(req, dir, limits);
  } catch (error) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `POST /api/events/:slug/file-broadcast` (multipart: `media`, optional `image`) goes live from a
 * prepared recording; `DELETE` stops it. Only the event's organizer may do either.
 */
export function fileBroadcastRoutes(
  uploadsDir: string,
  events: EventService,
  broadcaster: FileBroadcaster,
  slots: UploadSlots,
  limits: UploadLimits,
): Router {
  const router = Router();

  const authorize = (req: Request): string => {
    const slug = Slug.safeParse(req.params.slug);
    const key = bearerKey(req);
    if (!slug.success) throw new BadRequestError('malformed event id');
    events.get(slug.data);
    if (!key || !events.isOrganizer(slug.data, key)) throw new UnauthorizedError();
    return slug.data;
  };

  router.post('/api/events/:slug/file-broadcast', async (req, res) => {
    try {
      const slug = authorize(req);
      // Taken before a byte of the body is read, and held until the broadcast has started or failed.
      const release = slots.reserve(slug);
      try {
        res.status(201).json(await broadcaster.start(slug, await receiveInto(uploadsDir, slug, req, limits)));
      } finally {
        release();
      }
    } catch (error) {
      drainBody(req, limits);
      throw error;
    }
  });

  router.delete('/api/events/:slug/file-broadcast', async (req, res) => {
    await broadcaster.stop(authorize(req));
    res.status(204).end();
  });

  return router;
}
