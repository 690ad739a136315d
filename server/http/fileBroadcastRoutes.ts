import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { FileBroadcastQuery, Slug } from '../../shared/events';
import { BadRequestError, TooLargeError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import type { EventStills } from '../sfu/EventStills';
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

/** A picture to show instead of the camera is a photo or a slide, never a recording: small. */
const PICTURE_MAX_BYTES = 10 * 1024 * 1024;
const PICTURE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

/**
 * What an organizer shows instead of a camera. `POST /api/events/:slug/file-broadcast` (multipart:
 * `media`, optional `image`; query `atEnd`, see {@link FileBroadcastQuery}) goes live from a prepared
 * recording; `DELETE` stops it. `PUT /api/events/:slug/picture` (the image itself as the body, JPEG,
 * PNG or WebP) sets the still shown while the organizer sends sound without a camera. Only the
 * event's organizer may do any of them.
 */
export function fileBroadcastRoutes(
  uploadsDir: string,
  events: EventService,
  broadcaster: FileBroadcaster,
  stills: EventStills,
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
      const query = FileBroadcastQuery.safeParse(req.query);
      if (!query.success) throw new BadRequestError(z.prettifyError(query.error));
      // Taken before a byte of the body is read, and held until the broadcast has started or failed.
      const release = slots.reserve(slug);
      try {
        res.status(201).json(await broadcaster.start(slug, await receiveInto(uploadsDir, slug, req, limits), query.data.atEnd));
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

  router.put('/api/events/:slug/picture', async (req, res) => {
    const slug = authorize(req);
    await readPicture(req, res);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new BadRequestError(`send the picture itself as the body, with Content-Type ${PICTURE_TYPES.join(', ')}`);
    }
    const dir = path.join(uploadsDir, slug);
    await fsp.mkdir(dir, { recursive: true });
    const file = path.join(dir, `picture-${crypto.randomBytes(8).toString('hex')}`);
    await fsp.writeFile(file, req.body);
    await stills.setPicture(slug, file);
    res.status(204).end();
  });

  return router;
}

const pictureBody = express.raw({ type: PICTURE_TYPES, limit: PICTURE_MAX_BYTES });

/** Reads the body only once the organizer is known: nobody else makes this server hold 10 MB. */
function readPicture(req: Request, res: express.Response): Promise<void> {
  return new Promise((resolve, reject) => {
    pictureBody(req, res, (error?: unknown) => {
      if (error === undefined) resolve();
      else reject(error instanceof Error && 'status' in error && error.status === 413 ? new TooLargeError('the picture is larger than 10 MB') : new BadRequestError('the picture could not be received'));
    });
  });
}
