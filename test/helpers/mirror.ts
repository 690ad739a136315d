import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderMirrorConfig } from '../../deploy/nginx/renderMirrorConfig';
import { createLogger } from '../../server/logger';
import { MirrorPusher, type MirrorPageOptions } from '../../server/mirror/MirrorPusher';
import { DirectoryTarget } from '../../server/mirror/MirrorTarget';
import { NginxProcess } from './NginxProcess';
import type { ServerAndBrowser } from './serverAndBrowser';

/**
 * A supporter's static mirror: Debian's nginx running the shipped mirror.conf over a directory, and the
 * mirror kit filling it with the event's recording as the test server writes it (and with `page`, when
 * given), until the fixture closes.
 */
export async function startKitMirror(test: ServerAndBrowser, slug: string, page: MirrorPageOptions = {}): Promise<NginxProcess> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-mirror-'));
  const mirror = test.own(await NginxProcess.serve((listen) => renderMirrorConfig({ listen, root, putFrom: '127.0.0.1' })));
  const pushing = new AbortController();
  test.own({ close: () => pushing.abort() });
  const pusher = new MirrorPusher(path.join(test.server.hls.recordingsDir, slug), slug, new DirectoryTarget(root), page);
  void pusher.run(createLogger('silent'), pushing.signal);
  return mirror;
}

/** A directory laid out as `npm run build:client` leaves it, small: a page naming one hashed script, and the service worker. */
export async function fakeBuiltClient(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-client-'));
  await fs.mkdir(path.join(dir, 'assets'));
  await fs.writeFile(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/boot-abc.js"></script>');
  await fs.writeFile(path.join(dir, 'assets', 'boot-abc.js'), 'console.log(1)');
  await fs.writeFile(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  return dir;
}
