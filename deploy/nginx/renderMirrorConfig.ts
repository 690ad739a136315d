/**
 * npm run nginx:mirror-config -- --root /srv/jalsa-mirror --put-from 203.0.113.7 [--listen 80] > /etc/nginx/conf.d/jalsa-mirror.conf
 * Renders deploy/nginx/mirror.conf: a static host serving events' HLS files to watch pages (CORS) and the
 * watch page itself, taking the mirror kit's PUTs from the origin's address only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { cspHeaderValue, PAGE_CSP_DIRECTIVES } from '../../server/http/securityHeaders';

/** Values go into nginx's syntax verbatim: nothing that could end a directive or start another. */
const Word = z.string().regex(/^[^\s;{}'"#$\\]+$/, 'no spaces, quotes, ;, {, }, #, $ or \\');

const MirrorNginxSettings = z.object({
  listen: Word,
  root: Word.refine((dir) => path.isAbsolute(dir), 'an absolute path'),
  /** An address or CIDR allowed to PUT. */
  putFrom: Word,
});
export type MirrorNginxSettings = z.infer<typeof MirrorNginxSettings>;

const TEMPLATE = path.join(import.meta.dirname, 'mirror.conf');

export function renderMirrorConfig(settings: MirrorNginxSettings): string {
  const { listen, root, putFrom } = MirrorNginxSettings.parse(settings);
  const values: Record<string, string> = { LISTEN: listen, ROOT: root, PUT_FROM: putFrom, PAGE_CSP: cspHeaderValue(PAGE_CSP_DIRECTIVES) };
  return fs.readFileSync(TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`mirror.conf has a placeholder nothing fills: ${name}`);
    return value;
  });
}

function main(): void {
  const { values } = parseArgs({
    options: { listen: { type: 'string', default: '80' }, root: { type: 'string' }, 'put-from': { type: 'string' } },
  });
  try {
    process.stdout.write(renderMirrorConfig({ listen: values.listen, root: values.root ?? '', putFrom: values['put-from'] ?? '' }));
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    process.stderr.write(`${z.prettifyError(error)}\n`);
    process.exitCode = 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
