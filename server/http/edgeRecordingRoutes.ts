import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { Slug } from '../../shared/events';
import { RECORDING_CONTENT_TYPES, RECORDINGS_URL_PATH, recordingFileKind, recordingFiles } from '../../shared/recordingLayout';
import { ReplayListQuery, ReplayResponse, ReplayListResponse } from '../../shared/recordings';
import { BadRequestError, NotFoundError } from '../errors';
import type { OriginFile, OriginRecordings } from '../hls/OriginRecordings';
import { encodePlaylist, sendPlaylist, type EncodedPlaylist } from './sendPlaylist';

/** What of the origin's answer for an audio download reaches the attendee. */
const DOWNLOAD_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'content-disposition', 'cache-control', 'last-modified', 'etag'];

/**
 * On an edge, the same URLs as the origin's `recordingRoutes`, answered from the origin through the
 * edge's copy (`OriginRecordings`): attendees of the edge never need to reach the origin themselves.
 */
export function edgeRecordingRoutes(origin: OriginRecordings): Router {
  const router = Router();
  // Each kept playlist is encoded once, however many of the edge's attendees reload it.
  const playlists = new WeakMap<Buffer, EncodedPlaylist>();

  router.get('/api/replays', async (req, res) => {
    const query = ReplayListQuery.safeParse(req.query);
    if (!query.success) throw new BadRequestError(z.prettifyError(query.error));
    // Rebuilt from the checked values: nothing of the request's own query reaches the origin.
    const { limit, offset } = query.data;
    const page = await origin.getApi(`/api/replays?limit=${limit}&offset=${offset}`, ReplayListResponse);
    if (!page) throw new NotFoundError('replays');
    sendJson(res, page);
  });

  router.get('/api/replays/:slug', async (req, res) => {
    const slug = Slug.safeParse(req.params.slug);
    const replay = slug.success ? await origin.getApi(`/api/replays/${slug.data}`, ReplayResponse) : undefined;
    if (!replay) throw new NotFoundError('recording');
    sendJson(res, replay);
  });

  router.get(`${RECORDINGS_URL_PATH}/:slug/*file`, async (req, res) => {
    const slug = Slug.safeParse(req.params.slug);
    const file = ((req.params as { file?: string[] }).file ?? []).join('/');
    const kind = recordingFileKind(file);
    if (!slug.success || !kind) throw new NotFoundError('file');
    if (file === recordingFiles.audioDownload) return pipeDownload(origin, slug.data, req, res);
    const found = await origin.get(slug.data, file);
    if (!found) throw new NotFoundError('file');
    if (kind === 'playlist') {
      let playlist = playlists.get(found.body);
      if (!playlist) playlists.set(found.body, (playlist = encodePlaylist(found.body)));
      return sendPlaylist(req, res, playlist, found.cacheControl);
    }
    res.set('Content-Type', RECORDING_CONTENT_TYPES[kind]);
    send(res, found);
  });

  return router;
}

function sendJson(res: Response, answer: OriginFile): void {
  res.set('Content-Type', 'application/json; charset=utf-8');
  send(res, answer);
}

/** Sends a kept answer; Express adds its ETag and answers a matching If-None-Match with 304. */
function send(res: Response, { body, cacheControl }: OriginFile): void {
  res.set('Cache-Control', cacheControl).send(body);
}

async function pipeDownload(origin: OriginRecordings, slug: string, req: Request, res: Response): Promise<void> {
  const answer = await origin.openAudioDownload(slug, req.method === 'HEAD' ? 'HEAD' : 'GET', req.get('range'));
  if (answer.status === 404) {
    await answer.body?.cancel();
    throw new NotFoundError('file');
  }
  res.status(answer.status);
  for (const name of DOWNLOAD_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) res.set(name, value);
  }
  if (!answer.body) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(answer.body as ReadableStream<Uint8Array>);
  await new Promise<void>((resolve) => {
    // The attendee left or the origin broke off: either way this download is over, and nothing else is.
    body.once('error', () => res.destroy());
    res.once('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}
