import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { BadRequestError, TooLargeError } from '../errors';
import type { UploadedFiles } from '../sfu/FileBroadcaster';

export interface UploadLimits {
  maxBytes: number;
  /** Nothing received for this long cuts the upload off; steady progress, however slow, never does. */
  idleTimeoutMs: number;
  /** The longest the body of a refused upload is read and dropped (see {@link drainBody}). */
  drainMs: number;
}

/** The client went away mid-upload: there is no one left to answer. */
export class UploadAbortedError extends Error {
  constructor() {
    super('the client closed the connection before the upload was complete');
    this.name = 'UploadAbortedError';
  }
}

type Field = 'media' | 'image';
const FIELDS = new Set<string>(['media', 'image']);

/**
 * Streams the form's files into `dir`, never into memory. Settles in every case: on success with the
 * files; on a bad form, a file over the size limit, an idle client or a client that went away, with an
 * error — and only after every file it opened is closed, so the caller can remove `dir`.
 */
export function receiveUpload(req: Request, dir: string, { maxBytes, idleTimeoutMs }: UploadLimits): Promise<UploadedFiles> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 2, fileSize: maxBytes, fields: 0, parts: 2 } });
    } catch {
      reject(new BadRequestError('send the file as multipart/form-data'));
      return;
    }
    const saved: Partial<Record<Field, string>> = {};
    const writes: Promise<void>[] = [];
    const targets: fs.WriteStream[] = [];
    let stopping = false;

    const onIdle = () => abort(new BadRequestError(`the upload stalled: nothing arrived for ${Math.round(idleTimeoutMs / 1000)} s`));
    const onClose = () => {
      if (!req.complete) abort(new UploadAbortedError());
    };
    const settle = (outcome: () => void) => {
      req.off('timeout', onIdle);
      req.off('close', onClose);
      req.socket?.setTimeout(0);
      outcome();
    };
    /** Stops reading at once, closes every file being written, then rejects. */
    const abort = (error: Error) => {
      if (stopping) return;
      stopping = true;
      req.unpipe(parser);
      // Not from inside busboy's own event (a file's 'limit'): it goes on with the chunk it was parsing.
      queueMicrotask(() => {
        parser.destroy();
        const closed = targets.map((target) => (target.closed ? undefined : new Promise<void>((done) => target.once('close', () => done()))));
        void Promise.allSettled([...writes, ...closed]).then(() => settle(() => reject(error)));
      });
    };

    req.on('timeout', onIdle);
    req.setTimeout(idleTimeoutMs);
    req.once('close', onClose);

    parser.on('file', (field, stream) => {
      if (stopping) {
        stream.on('error', ignore).resume();
        return;
      }
      if (!FIELDS.has(field) || saved[field as Field]) {
        stream.on('error', ignore).resume();
        abort(new BadRequestError(`unexpected form field "${field.slice(0, 40)}"`));
        return;
      }
      const target = path.join(dir, field);
      saved[field as Field] = target;
      const file = fs.createWriteStream(target);
      targets.push(file);
      stream.once('limit', () => abort(new TooLargeError(`the file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`)));
      writes.push(pipeline(stream, file));
    });
    // `on`, not `once`: destroying the parser mid-form makes it report the unfinished form as well.
    parser.on('error', (error: Error) => abort(new BadRequestError(`malformed upload: ${error.message}`)));
    parser.once('close', () => {
      if (stopping) return;
      Promise.all(writes).then(
        () => {
          if (!saved.media) abort(new BadRequestError('the form needs a "media" file'));
          else settle(() => resolve({ dir, media: saved.media!, image: saved.image }));
        },
        (error: unknown) => abort(error instanceof Error ? error : new Error(String(error))),
      );
    });
    req.pipe(parser);
  });
}

function ignore(): void {}

const draining = new WeakSet<Request>();

/**
 * After an upload is refused before its body has ended (not allowed, too large, stalled), the rest is
 * read and dropped, then the connection closed: browsers read the answer only once they have sent their
 * body, and closing at once would reset the connection under it. The drain stops at the first of an idle
 * timeout, another `maxBytes` or `drainMs`: nobody may keep a refused request open by dripping into it.
 */
export function drainBody(req: Request, { maxBytes, idleTimeoutMs, drainMs }: UploadLimits): void {
  if (req.complete || req.destroyed || draining.has(req)) return;
  draining.add(req);
  let dropped = 0;
  const hangUp = () => req.socket?.destroy();
  const deadline = setTimeout(hangUp, drainMs);
  req.setTimeout(idleTimeoutMs, hangUp);
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) hangUp();
  });
  req.once('close', () => clearTimeout(deadline));
  req.once('end', () => {
    clearTimeout(deadline);
    req.off('timeout', hangUp);
    req.socket?.setTimeout(0);
  });
  req.resume();
}
