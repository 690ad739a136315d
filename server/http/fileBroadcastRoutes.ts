import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Router, type Request } from 'express';
import { Slug } from '../../shared/events';
import { BadRequestError, TooLargeError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import type { FileBroadcaster, UploadedFiles } from '../sfu/FileBroadcaster';
import { bearerKey } from './bearerKey';

export interface UploadLimits {
  maxBytes: number;
}

const FIELDS = new Set(['media', 'image']);

/**
 * `POST /api/events/:slug/file-broadcast` (multipart: `media`, optional `image`) goes live from a
 * prepared recording; `DELETE` stops it. Only the event's organizer may do either.
 */
export function fileBroadcastRoutes(
  uploadsDir: string,
  events: EventService,
  broadcaster: FileBroadcaster,
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
    const slug = authorize(req);
    const dir = path.join(uploadsDir, slug, crypto.randomBytes(8).toString('hex'));
    await fsp.mkdir(dir, { recursive: true });
    let files: UploadedFiles;
    try {
      files = await receiveFiles(req, dir, limits);
    } catch (error) {
      await fsp.rm(dir, { recursive: true, force: true });
      throw error;
    }
    res.status(201).json(await broadcaster.start(slug, files));
  });

  router.delete('/api/events/:slug/file-broadcast', async (req, res) => {
    await broadcaster.stop(authorize(req));
    res.status(204).end();
  });

  return router;
}

/** Streams the form's files to disk, never into memory, stopping at the size limit. */
function receiveFiles(req: Request, dir: string, { maxBytes }: UploadLimits): Promise<UploadedFiles> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 2, fileSize: maxBytes, fields: 0, parts: 2 } });
    } catch {
      reject(new BadRequestError('send the file as multipart/form-data'));
      return;
    }
    const saved: Partial<Record<'media' | 'image', string>> = {};
    const writes: Promise<void>[] = [];
    let failure: Error | undefined;
    parser.on('file', (field, stream) => {
      if (!FIELDS.has(field) || saved[field as 'media' | 'image']) {
        failure ??= new BadRequestError(`unexpected form field "${field.slice(0, 40)}"`);
        stream.resume();
        return;
      }
      const target = path.join(dir, field);
      saved[field as 'media' | 'image'] = target;
      stream.once('limit', () => (failure ??= new TooLargeError(`the file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`)));
      writes.push(pipeline(stream, fs.createWriteStream(target)));
    });
    parser.once('error', (error: Error) => reject(new BadRequestError(`malformed upload: ${error.message}`)));
    parser.once('close', () => {
      Promise.all(writes).then(
        () => {
          if (failure) reject(failure);
          else if (!saved.media) reject(new BadRequestError('the form needs a "media" file'));
          else resolve({ dir, media: saved.media, image: saved.image });
        },
        (error: unknown) => reject(error),
      );
    });
    req.pipe(parser);
  });
}
