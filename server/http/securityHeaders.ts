import helmet from 'helmet';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { RECORDINGS_URL_PATH, recordingFileKind } from '../../shared/recordingLayout';

/**
 * The browser-side defences of every response (helmet's set, tightened where this app allows):
 * - a CSP that lets in only what the built client uses: its own scripts, styles and connections
 *   (REST, HLS, Socket.io's websocket), `blob:` for the players' MediaSource and poster object URLs
 *   and hls.js's worker, `data:` for the empty favicon;
 * - no framing at all (`frame-ancestors 'none'` and `X-Frame-Options: DENY`): the studio runs an event
 *   with one click, so a page that frames it could trick an organizer into ending it;
 * - `nosniff`, and no referrer, so an event's address does not leak to other sites.
 * No `upgrade-insecure-requests` and no HSTS: a server reached over plain http on a local network must
 * keep working, and the TLS-terminating proxy is the one to decide HSTS for its whole domain.
 *
 * HLS files (playlists, segments, posters) are never documents: a browser does not run, frame or
 * navigate from them, so the document defences (about 600 bytes) would only be carried again on every
 * live playlist reload, twice the playlist itself on a 2G link. Segments, init segments, posters and
 * downloads keep what applies to any response: `nosniff`. Playlists go without it (a playlist is public,
 * written only by the server: URIs, durations, dates, nothing an attendee typed; served as an HLS type
 * that browsers do not sniff into a page, and its text, `#EXTM3U…`, is no script).
 *
 * Any server may be a mirror of another's event: the watch page, served by the origin, then fetches this
 * server's HLS files across origins. So every HLS file, a 404 included (a player tells a missing file
 * from a blocked host by its status, which it cannot read without CORS), is readable by any page
 * (`Access-Control-Allow-Origin: *`, no credentials: the files are public, a page reads nothing there it
 * could not fetch itself) and the files other than playlists loadable by any (`Cross-Origin-Resource-Policy:
 * cross-origin`, where the rest keeps helmet's `same-origin`). The players send plain GETs: no preflight.
 * A playlist carries the header only when a page of another origin asks (its request has an `Origin`;
 * the page's own origin sends none): the 32 bytes would otherwise ride on every listener's reload every
 * two seconds. `Vary: Origin` keeps the two answers apart in a cache in front (8 bytes).
 */
export function securityHeaders(mirrorOrigins: (slug: string) => string[] = () => []): RequestHandler {
  const documents = documentHeaders(mirrorOrigins);
  return (req, res, next) => {
    if (!req.path.startsWith(`${RECORDINGS_URL_PATH}/`)) return documents(req, res, next);
    if (recordingFileKind(req.path) === 'playlist') {
      res.vary('Origin');
      if (req.headers.origin !== undefined) res.set('Access-Control-Allow-Origin', '*');
    } else {
      res.set({ 'Access-Control-Allow-Origin': '*', 'X-Content-Type-Options': 'nosniff', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    }
    next();
  };
}

/** An event's watch page may fetch that event's HLS files from its mirrors too (and nothing else from them). */
function watchPageMirrors(mirrorOrigins: (slug: string) => string[]) {
  return (req: IncomingMessage): string => {
    const slug = /^\/e\/([a-z0-9-]{3,80})\/?$/.exec((req as Request).path ?? '')?.[1];
    if (!slug) return '';
    try {
      return mirrorOrigins(slug).join(' ');
    } catch {
      // No such event: the page shows that, with nothing more to fetch.
      return '';
    }
  };
}

/**
 * The pages' CSP before an event's mirrors are added to a watch page's `connect-src`. A static mirror
 * serving the watch page (deploy/nginx/mirror.conf) sends exactly this: there the page plays from the
 * mirror's own host ('self') and from nothing else.
 */
export const PAGE_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
};

/** The directives as one Content-Security-Policy header value. */
export function cspHeaderValue(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

function documentHeaders(mirrorOrigins: (slug: string) => string[]): RequestHandler {
  const directives = Object.fromEntries(Object.entries(PAGE_CSP_DIRECTIVES).map(([name, sources]) => [name, [...sources]]));
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...directives, 'connect-src': [...PAGE_CSP_DIRECTIVES['connect-src']!, watchPageMirrors(mirrorOrigins)] },
    },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
