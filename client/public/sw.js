// Keeps the app shell for the next visit: on a 2G link the second visit should not download the page again.
// Hashed assets never change, so they are served from the cache; the HTML is fetched afresh when the
// network answers in time (a new release must reach returning visitors) and from the cache when it does not.
// Media, the API and signalling are never touched.
const SHELL_CACHE = 'jalsa-shell-v1';
const ASSET_CACHE = 'jalsa-assets-v1';
const SHELL_KEY = '/index.html';
/** Past this, a slow network loses to the cached page. */
const NETWORK_TIMEOUT_MS = 4000;
/** Old releases' chunks are dropped beyond this many cached assets. */
const MAX_ASSETS = 40;
/** Never the app shell, even when opened as a page: their responses must neither be kept nor replaced. */
const NOT_THE_APP = /^\/(api|hls|socket\.io|assets)\/|^\/(metrics|healthz)$/;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL_CACHE && n !== ASSET_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && !NOT_THE_APP.test(url.pathname)) event.respondWith(shell(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request));
});

async function shell(request) {
  const cache = await caches.open(SHELL_CACHE);
  const network = fetch(request).then(async (response) => {
    // Only the page itself: an error page or anything else the server answered must not become the shell.
    if (response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html')) {
      await cache.put(SHELL_KEY, response.clone());
    }
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS));
  const first = await Promise.race([network.catch(() => undefined), timeout]);
  if (first) return first;
  return (await cache.match(SHELL_KEY)) ?? network;
}

async function asset(request) {
  const cache = await caches.open(ASSET_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
    const keys = await cache.keys();
    await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_ASSETS)).map((key) => cache.delete(key)));
  }
  return response;
}
