import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { gzipSync, constants as zlib } from 'node:zlib';
import type { Request, Response } from 'express';
import { RECORDING_CONTENT_TYPES } from '../../shared/recordingLayout';

/**
 * A playlist as it goes on the wire, encoded once for every attendee who reloads it: a live window is
 * reloaded by each listener every two seconds, a few hundred bytes each time, so its headers weigh as
 * much as its body and are kept to what a player and a cache use.
 */
export interface EncodedPlaylist {
  identity: Buffer;
  gzip: Buffer;
  /** Weak (the gzip and identity bodies share it), short: 8 characters of the content's hash. */
  etag: string;
}

export function encodePlaylist(body: Buffer): EncodedPlaylist {
  const hash = createHash('sha1').update(body).digest('base64url').slice(0, 8);
  return { identity: body, gzip: gzipSync(body, { level: zlib.Z_BEST_COMPRESSION }), etag: `W/"${hash}"` };
}

/**
 * Sends a playlist with a known length (no chunked framing), gzipped when the player takes it, and a
 * 304 to a player or cache that already has this version. Nothing else: Express's ETag (twice as
 * long), ranges and Last-Modified mean nothing for a file this small that changes every segment.
 */
export function sendPlaylist(req: Request, res: Response, playlist: EncodedPlaylist, cacheControl: string): void {
  res.set({ 'Content-Type': RECORDING_CONTENT_TYPES.playlist, 'Cache-Control': cacheControl, ETag: playlist.etag });
  res.vary('Accept-Encoding');
  // An HTTP/1.1 connection is kept unless a side says otherwise: Node's `Connection: keep-alive` and
  // `Keep-Alive: timeout=5` (47 bytes, a tenth of a reload) say nothing a player reloading every two
  // seconds uses. Left out, the connection is kept all the same; an HTTP/1.0 client, or one that asked
  // for `close`, still hears Node's word.
  if (req.httpVersion === '1.1' && res.shouldKeepAlive) res.removeHeader('Connection');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
  const body = gzip ? playlist.gzip : playlist.identity;
  if (gzip) res.set('Content-Encoding', 'gzip');
  res.set('Content-Length', String(body.byteLength));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

/** How many playlist files' encodings are kept: every rung's two playlists of a few dozen live events. */
const KEPT_FILES = 512;

/**
 * The origin's playlist files, each encoded once per version (a version is the file's size and mtime:
 * the composer replaces a playlist by renaming a new file over it), however many attendees reload it.
 */
export class PlaylistFiles {
  readonly #kept = new Map<string, { version: string; playlist: EncodedPlaylist }>();

  async read(file: string): Promise<EncodedPlaylist> {
    const handle = await fs.open(file, 'r');
    try {
      const { size, mtimeMs, ino } = await handle.stat();
      const version = `${size}:${mtimeMs}:${ino}`;
      const kept = this.#kept.get(file);
      if (kept?.version === version) return kept.playlist;
      const playlist = encodePlaylist(await handle.readFile());
      this.#kept.delete(file);
      this.#kept.set(file, { version, playlist });
      if (this.#kept.size > KEPT_FILES) this.#kept.delete(this.#kept.keys().next().value!);
      return playlist;
    } finally {
      await handle.close();
    }
  }
}
