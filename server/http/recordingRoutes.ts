import fs from 'node:fs/promises';
import path from 'node:path';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { Slug } from '../../shared/events';
import {
  recordingFiles,
  RECORDING_CONTENT_TYPES,
  RECORDINGS_URL_PATH,
  recordingFileKind,
  type RecordingFileKind,
} from '../../shared/recordingLayout';
import { ReplayListQuery, type ReplayListResponse, type ReplayResponse } from '../../shared/recordings';
import { BadRequestError, NotFoundError } from '../errors';
import type { EventService } from '../events/EventService';
import type { HlsService } from '../hls/HlsService';
import { steeredMaster } from '../hls/steeredMaster';
import { encodePlaylist, PlaylistFiles, sendPlaylist } from './sendPlaylist';

/** The master playlists: what an event's mirrors are announced in. */
const MASTERS = new Set<string>([recordingFiles.master, recordingFiles.liveMaster]);

/** One path component of a recording file: no dots up front (no `..`, no hidden files), no separators. */
const SAFE_COMPONENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Serves HLS and recording files so that an HTTP cache or CDN in front works: segments never change
 * (cache for a year), live playlists (the whole event's and its live windows) change every segment
 * (cache for a second), finished ones rarely.
 */
export function recordingRoutes(events: EventService, hls: HlsService): Router {
  const router = Router();
  const { recordingsDir, catalog } = hls;
  const playlists = new PlaylistFiles();

  router.get('/api/replays', async (req, res) => {
    const query = ReplayListQuery.safeParse(req.query);
    if (!query.success) throw new BadRequestError(z.prettifyError(query.error));
    const page: ReplayListResponse = await catalog.list(query.data);
    res.set('Cache-Control', 'public, max-age=10').json(page);
  });

  router.get('/api/replays/:slug', async (req, res) => {
    const slug = Slug.safeParse(req.params.slug);
    const replay = slug.success ? await catalog.get(slug.data) : undefined;
    if (!replay) throw new NotFoundError('recording');
    const body: ReplayResponse = { replay };
    res.set('Cache-Control', 'public, max-age=10').json(body);
  });

  router.get(`${RECORDINGS_URL_PATH}/:slug/*file`, async (req, res) => {
    const slug = Slug.safeParse(req.params.slug);
    const parts = (req.params as { file?: string[] }).file ?? [];
    const kind = recordingFileKind(parts.at(-1) ?? '');
    if (!slug.success || !kind || parts.length > 4 || !parts.every((p) => SAFE_COMPONENT.test(p))) {
      throw new NotFoundError('file');
    }
    // A missing download of an ended event is made now, by one ffmpeg however many ask at once.
    if (parts.length === 1 && parts[0] === recordingFiles.audioDownload) await hls.ensureAudioDownload(slug.data);
    const root = await fs.realpath(path.join(recordingsDir, slug.data)).catch(() => undefined);
    const file = root && (await fs.realpath(path.join(root, ...parts)).catch(() => undefined));
    // realpath resolves symlinks: whatever a link points at, it must still be inside this recording.
    if (!root || !file || !file.startsWith(root + path.sep)) throw new NotFoundError('file');

    const rule = cacheControl(kind, events.get(slug.data).status === 'live');
    if (kind === 'playlist') {
      // Gone between the check and the read: the recording was just removed.
      const playlist = await playlists.read(file).catch(() => undefined);
      if (!playlist) throw new NotFoundError('file');
      if (MASTERS.has(parts.join('/'))) {
        // Mirrors change while the files stay: a master is steered as it is served (once per player).
        const mirrors = events.mirrors(slug.data);
        if (mirrors.mirrors.length > 0) {
          const steered = steeredMaster(playlist.identity.toString('utf8'), slug.data, mirrors);
          return sendPlaylist(req, res, encodePlaylist(Buffer.from(steered)), rule);
        }
      }
      return sendPlaylist(req, res, playlist, rule);
    }
    res.set('Content-Type', RECORDING_CONTENT_TYPES[kind]);
    res.set('Cache-Control', rule);
    if (kind === 'audioDownload') res.attachment(`${slug.data}.m4a`);
    await sendFile(res, root, path.relative(root, file));
  });

  return router;
}

function cacheControl(kind: RecordingFileKind, live: boolean): string {
  switch (kind) {
    case 'segment':
    case 'init':
    case 'audioDownload':
      return 'public, max-age=31536000, immutable';
    // Without `public`, which only matters for a request with credentials (these never carry any): a live
    // window is reloaded every two seconds by every listener, and every byte of its headers counts.
    case 'playlist':
      return live ? 'max-age=1' : 'max-age=300';
    case 'poster':
      return 'public, max-age=5';
  }
}

/**
 * Sends `file`, a path relative to `root`. Relative, because the file sender refuses a dot-segment
 * anywhere in the path it is given: with an absolute one, a data directory such as
 * ~/.local/share/jalsa would refuse every file. Only our own components are checked that way.
 * (Playlists are not sent here: see sendPlaylist.)
 */
function sendFile(res: Response, root: string, file: string): Promise<void> {
  const options = { root, cacheControl: false, dotfiles: 'deny' } as const;
  return new Promise((resolve, reject) => {
    res.sendFile(file, options, (error) =>
      error && !res.headersSent ? reject(error) : resolve(),
    );
  });
}
