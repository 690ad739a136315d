import fs from 'node:fs/promises';
import path from 'node:path';
import { RECORDING_CONTENT_TYPES, recordingFileKind } from '../../shared/recordingLayout';

/** Each push is given this long: a mirror that hangs is tried again at the next round, not waited for. */
const PUSH_TIMEOUT_MS = 30_000;

export class MirrorPushError extends Error {
  override readonly name = 'MirrorPushError';

  constructor(readonly file: string, readonly reason: string) {
    super(`pushing ${file} failed: ${reason}`);
  }
}

/** The built client's files, by extension (nginx serves them by its own types; other PUT targets may keep ours). */
const PAGE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

function contentTypeOf(urlPath: string): string {
  const kind = recordingFileKind(urlPath);
  return kind ? RECORDING_CONTENT_TYPES[kind] : (PAGE_CONTENT_TYPES[path.posix.extname(urlPath)] ?? 'application/octet-stream');
}

/**
 * Where the mirror kit puts what a mirror serves, each file at the URL path the origin serves it at
 * (an event's files at `pathwayUrl('', slug, file)`, the watch page's at its own path), so that the
 * root's address is the mirror's base for the event's steering and the page's address on the mirror.
 */
export interface MirrorTarget {
  /** Human-readable, for logs. */
  readonly description: string;
  /** Writes the file at `urlPath` (`/hls/<slug>/…`, `/assets/…`) whole: a reader sees the old file or the new one, never a part. */
  put(urlPath: string, body: Buffer): Promise<void>;
  /** Whether the target holds that file already (after a restart of the kit, segments are not pushed again). */
  has(urlPath: string): Promise<boolean>;
}

/** A local directory, served by any web server: written to a temporary name, then renamed into place. */
export class DirectoryTarget implements MirrorTarget {
  readonly description: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
    this.description = this.#root;
  }

  async put(urlPath: string, body: Buffer): Promise<void> {
    const target = this.#path(urlPath);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      await fs.writeFile(temporary, body);
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw new MirrorPushError(urlPath, (error as Error).message);
    }
  }

  async has(urlPath: string): Promise<boolean> {
    return fs.access(this.#path(urlPath)).then(() => true, () => false);
  }

  /** The same layout under the directory as under a URL; never outside the directory, whatever the path says. */
  #path(urlPath: string): string {
    const file = path.join(this.#root, ...urlPath.split('/'));
    if (!file.startsWith(`${this.#root}${path.sep}`)) throw new MirrorPushError(urlPath, 'outside the mirror directory');
    return file;
  }
}

/**
 * A web server taking HTTP PUT (nginx's WebDAV module with `create_full_put_path on`): each file PUT
 * whole at its path under the base. The target is expected to admit this machine's PUTs by its address
 * (nginx `limit_except GET HEAD { allow <origin>; deny all; }`): no secret travels with them.
 */
export class HttpPutTarget implements MirrorTarget {
  readonly description: string;
  readonly #base: string;

  constructor(base: string) {
    this.#base = base.replace(/\/+$/, '');
    this.description = this.#base;
  }

  async put(urlPath: string, body: Buffer): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${urlPath}`, {
        method: 'PUT',
        body: new Uint8Array(body),
        headers: { 'content-type': contentTypeOf(urlPath) },
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
    } catch (error) {
      throw new MirrorPushError(urlPath, (error as Error).message);
    }
    await response.body?.cancel();
    if (!response.ok) throw new MirrorPushError(urlPath, `HTTP ${response.status}`);
  }

  async has(urlPath: string): Promise<boolean> {
    try {
      const response = await fetch(`${this.#base}${urlPath}`, {
        method: 'HEAD',
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      return response.ok;
    } catch {
      return false;
    }
  }
}

/** `http(s)://…` is pushed to with PUT; anything else is a local directory. */
export function openTarget(to: string): MirrorTarget {
  return /^https?:\/\//i.test(to) ? new HttpPutTarget(to) : new DirectoryTarget(to);
}
