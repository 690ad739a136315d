import fs from 'node:fs/promises';
import path from 'node:path';
import { RECORDING_CONTENT_TYPES, recordingFileKind } from '../../shared/recordingLayout';
import { pathwayUrl } from '../../shared/steering';

/** Each push is given this long: a mirror that hangs is tried again at the next round, not waited for. */
const PUSH_TIMEOUT_MS = 30_000;

export class MirrorPushError extends Error {
  override readonly name = 'MirrorPushError';

  constructor(readonly file: string, readonly reason: string) {
    super(`pushing ${file} failed: ${reason}`);
  }
}

/**
 * Where the mirror kit puts one event's files: at the same path under its root as the origin serves
 * them (`pathwayUrl`), so that the root's address is the mirror's base for the event's steering.
 */
export interface MirrorTarget {
  /** Human-readable, for logs. */
  readonly description: string;
  /** Writes `file` (a path in the recording layout) whole: a reader sees the old file or the new one, never a part. */
  put(slug: string, file: string, body: Buffer): Promise<void>;
  /** Whether the target holds `file` already (after a restart of the kit, segments are not pushed again). */
  has(slug: string, file: string): Promise<boolean>;
}

/** A local directory, served by any web server: written to a temporary name, then renamed into place. */
export class DirectoryTarget implements MirrorTarget {
  readonly description: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
    this.description = this.#root;
  }

  async put(slug: string, file: string, body: Buffer): Promise<void> {
    const target = this.#path(slug, file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      await fs.writeFile(temporary, body);
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw new MirrorPushError(file, (error as Error).message);
    }
  }

  has(slug: string, file: string): Promise<boolean> {
    return fs.access(this.#path(slug, file)).then(() => true, () => false);
  }

  #path(slug: string, file: string): string {
    // pathwayUrl gives '/hls/<slug>/<file>': the same layout under the directory as under a URL.
    return path.join(this.#root, ...pathwayUrl('', slug, file).split('/'));
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

  async put(slug: string, file: string, body: Buffer): Promise<void> {
    const kind = recordingFileKind(file);
    let response: Response;
    try {
      response = await fetch(pathwayUrl(this.#base, slug, file), {
        method: 'PUT',
        body: new Uint8Array(body),
        headers: { 'content-type': kind ? RECORDING_CONTENT_TYPES[kind] : 'application/octet-stream' },
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
    } catch (error) {
      throw new MirrorPushError(file, (error as Error).message);
    }
    await response.body?.cancel();
    if (!response.ok) throw new MirrorPushError(file, `HTTP ${response.status}`);
  }

  async has(slug: string, file: string): Promise<boolean> {
    try {
      const response = await fetch(pathwayUrl(this.#base, slug, file), {
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
