import fs from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { ErrorCode } from '../../shared/errors';
import { BadRequestError, JalsaError, NotFoundError, toErrorBody, UnavailableError } from '../errors';
import type { EventService } from '../events/EventService';
import { FfmpegSpawnError } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';
import { addressRateLimit } from './addressRateLimit';
import { eventRoutes, type EventRemains } from './eventRoutes';
import { UploadAbortedError } from './receiveUpload';
import { securityHeaders } from './securityHeaders';

export interface AppDependencies {
  events: EventService;
  /** Who drops a deleted event's chat and recording. */
  remains: EventRemains;
  logger: Logger;
  /** Readiness: named checks that must all be true for `/healthz` to answer 200. */
  health: () => Promise<Record<string, boolean>>;
  /** Built client to serve, or undefined to serve only the API. */
  clientDir: string | undefined;
  /** Routers of the other modules (recordings, chat), mounted at the root before the API's 404. */
  routers: Router[];
  /** Requests per second from one address to the dynamic routes. */
  requestsPerSecondPerAddress: number;
}

/**
 * What costs the server work per request: the API, WHIP, the health check and the metrics. HLS files and
 * the client's static files are not limited here: a cache in front (nginx, a CDN) answers most of
 * them, and thousands of attendees behind one carrier NAT fetch a segment every few seconds.
 */
const RATE_LIMITED_PATHS = ['/api', '/whip', '/healthz', '/metrics'];

/** Keyed by every code, so that a new one cannot silently become a 500. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  NOT_LIVE: 409,
  RATE_LIMITED: 429,
  TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function createApp({
  events,
  remains,
  logger,
  health,
  clientDir,
  routers,
  requestsPerSecondPerAddress,
}: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders((slug) => events.mirrors(slug).mirrors.map((mirror) => new URL(mirror.baseUrl).origin)));
  // Every byte counts on a 2G link: playlists and the client's JS and CSS shrink several times over.
  // The compression module does not know HLS playlists are text. A live window playlist is about 500
  // bytes, under the module's 1 KB threshold: compressed from 256 bytes on, as nginx does.
  app.use(
    compression({
      threshold: 256,
      filter: (req, res) => /mpegurl/i.test(String(res.getHeader('Content-Type') ?? '')) || compression.filter(req, res),
    }),
  );

  app.use(RATE_LIMITED_PATHS, addressRateLimit(requestsPerSecondPerAddress));

  app.get('/healthz', async (_req, res) => {
    const checks = await health();
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ok ? 'ok' : 'unavailable', checks });
  });

  for (const router of routers) app.use(router);
  app.use('/api', express.json({ limit: '16kb' }), eventRoutes(events, remains));
  app.use('/api', (_req, _res, next) => next(new NotFoundError('API route')));

  if (clientDir && fs.existsSync(clientDir)) serveClient(app, clientDir);

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const jalsaError = asJalsaError(error);
    if (!jalsaError) logger.error({ err: error }, 'HTTP request failed');
    const body = toErrorBody(jalsaError ?? error);
    res.status(HTTP_STATUS[body.code]).json({ error: body });
  };
  app.use(onError);
  return app;
}

/**
 * Body-parser failures carry an HTTP status of their own: they are the client's mistake. An ffmpeg that
 * cannot start is this server's, and the organizer is told so rather than given a bare 500.
 */
function asJalsaError(error: unknown): JalsaError | undefined {
  if (error instanceof JalsaError) return error;
  // Nobody is left to read the answer; it is not the server's failure either.
  if (error instanceof UploadAbortedError) return new BadRequestError(error.message);
  if (error instanceof FfmpegSpawnError) return new UnavailableError(`this server cannot run its media tools: ${error.message}`);
  const status = (error as { status?: unknown }).status;
  if (status === 404) return new NotFoundError('file');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new BadRequestError((error as Error).message);
  }
  return undefined;
}

/**
 * Hashed assets never change, so caches may keep them for a year; the HTML shell must be revalidated
 * so a new release reaches returning visitors.
 */
function serveClient(app: Express, clientDir: string): void {
  app.use(
    '/assets',
    express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  app.use(express.static(clientDir, { index: false, maxAge: 0 }));
  const indexHtml = path.join(clientDir, 'index.html');
  app.get(['/', '/studio', '/studio/{*rest}', '/e/{*rest}', '/replay', '/replay/{*rest}'], (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(indexHtml);
  });
}
