/**
 * npm run nginx:config -- [--origin 127.0.0.1:3000] [--listen 80] [--server-name rally.example.org]
 *                         [--cache-dir /var/cache/nginx/jalsa] [--cache-max-size 2g] > /etc/nginx/conf.d/jalsa.conf
 * Renders deploy/nginx/jalsa.conf. The origin's port and the upload limit default to the server's own
 * configuration (PORT, UPLOAD_MAX_MB), read from the same environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../../server/config';

/** Values go into nginx's syntax verbatim: nothing that could end a directive or start another. */
const Word = z.string().regex(/^[^\s;{}'"#$\\]+$/, 'no spaces, quotes, ;, {, }, #, $ or \\');

const NginxSettings = z.object({
  /** host:port of the Jalsa server. */
  origin: Word.regex(/^[\w.-]+:\d+$|^\[[\d:a-fA-F]+\]:\d+$/, 'host:port'),
  /** What nginx listens on: a port, or address:port. */
  listen: Word,
  serverName: Word,
  cacheDir: Word.refine((dir) => path.isAbsolute(dir), 'an absolute path'),
  /** nginx size, e.g. 2g. */
  cacheMaxSize: Word.regex(/^\d+[kmg]?$/i, 'a size such as 2g'),
  uploadMaxMb: z.number().int().positive(),
});
export type NginxSettings = z.infer<typeof NginxSettings>;

const TEMPLATE = path.join(import.meta.dirname, 'jalsa.conf');

export function renderNginxConfig(settings: NginxSettings): string {
  const values: Record<string, string> = Object.fromEntries(
    Object.entries(NginxSettings.parse(settings)).map(([key, value]) => [toPlaceholder(key), String(value)]),
  );
  return fs.readFileSync(TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`jalsa.conf has a placeholder nothing fills: ${name}`);
    return value;
  });
}

/** `cacheMaxSize` fills `{{CACHE_MAX_SIZE}}`. */
function toPlaceholder(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

function main(): void {
  const config = loadConfig();
  const { values } = parseArgs({
    options: {
      origin: { type: 'string', default: `127.0.0.1:${config.http.port}` },
      listen: { type: 'string', default: '80' },
      'server-name': { type: 'string', default: '_' },
      'cache-dir': { type: 'string', default: '/var/cache/nginx/jalsa' },
      'cache-max-size': { type: 'string', default: '2g' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(fs.readFileSync(import.meta.filename, 'utf8').split('*/')[0]!.replace(/^\/\*\*?|^ \* ?/gm, ''));
    return;
  }
  const settings = {
    origin: values.origin,
    listen: values.listen,
    serverName: values['server-name'],
    cacheDir: values['cache-dir'],
    cacheMaxSize: values['cache-max-size'],
    uploadMaxMb: Math.ceil(config.uploads.maxBytes / (1024 * 1024)),
  };
  try {
    process.stdout.write(renderNginxConfig(settings));
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    process.stderr.write(`${z.prettifyError(error)}\n`);
    process.exitCode = 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
