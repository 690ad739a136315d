import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const SERVER = 'http://localhost:3000';

// Paths are resolved from this file so the build works whatever directory vite is started from.
const fromHere = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: fromHere('./client'),
  // Root-relative URLs (`/assets/…`), as every URL the client itself uses (`/hls/…`, `/api/…`, `/sw.js`):
  // they name no host, so the page works from whichever host served it, the origin or a mirror the kit
  // filled (deploy/nginx/mirror.conf serves it at its root). Document-relative ones (`base: './'`) would
  // break on the nested routes (`/e/<slug>` would ask for `/e/assets/…`), and a `<base>` element to
  // mend that is what our CSP's `base-uri 'none'` refuses, on purpose. The cost: a mirror serves the
  // page only at its host's root, not under a path prefix.
  base: '/',
  plugins: [react()],
  build: {
    outDir: fromHere('./dist/client'),
    emptyOutDir: true,
    rollupOptions: {
      output: {
        // zod and the page's zod settings travel in one chunk, so that `jitless` is set as that chunk
        // runs, before any chunk that imports zod defines a schema (an object schema built before it
        // probes for eval, which the CSP refuses). Left to itself, Rollup hoists schemas shared by the
        // lazy pages above the settings in the app's chunk.
        manualChunks: (id) => (/[\\/]node_modules[\\/]zod[\\/]|[\\/]client[\\/]src[\\/]zodConfig\.ts$/.test(id) ? 'zod' : undefined),
      },
    },
  },
  server: {
    proxy: {
      '/api': SERVER,
      '/healthz': SERVER,
      '/socket.io': { target: SERVER, ws: true },
    },
  },
});
