import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SafeEmitter } from '../SafeEmitter';

/** 32 random bytes: long enough that a plain SHA-256 is a safe way to store it (no need to stretch). */
export function generateKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two key hashes in a time that says nothing of where they differ. */
export function hashesEqual(actualHash: string, expectedHash: string): boolean {
  const actual = Buffer.from(actualHash, 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

export const INSTANCE_KEY_FILE = 'organizer.key';

export interface InstanceKeyEvents {
  /** The key was replaced (or its file removed): whoever holds the old one must lose what it gave. */
  rotated: [];
}

/** Where the key came from, for what the server prints at start. */
export type InstanceKeyOrigin = 'configured' | 'created' | 'stored';

/**
 * The instance organizer key: it creates events and runs any of them. Unless `ORGANIZER_KEY` fixes it,
 * it is made on first start into `DATA_DIR/organizer.key`, readable only by the server's user. It stays
 * there in clear (not as a hash) because `npm run key:show` must be able to show it again; the file's
 * mode is what protects it. `npm run key:rotate` replaces the file; a running server sees the new file
 * at its next check (it looks at the file on every check, so the old key stops working at once, also in
 * every other process sharing the data directory) and tells its listeners, so that connections
 * admitted with the old key lose their role.
 */
export class InstanceKey extends SafeEmitter<InstanceKeyEvents> {
  readonly origin: InstanceKeyOrigin;
  readonly #file: string | undefined;
  #hash: string | undefined;
  #value: string | undefined;
  /** The file's identity when last read: a rotation writes a new file, so its inode changes. */
  #stamp = '';
  #watcher: fs.FSWatcher | undefined;

  private constructor(origin: InstanceKeyOrigin, file: string | undefined, value: string | undefined) {
    super();
    this.origin = origin;
    this.#file = file;
    this.#set(value);
    if (file) this.#stamp = stampOf(file);
  }

  /** A key fixed by configuration: it never rotates. */
  static fixed(key: string): InstanceKey {
    return new InstanceKey('configured', undefined, key);
  }

  /**
   * The configured key, else the one in the data directory, made there first if there is none yet.
   * With `watch`, rotations by another process are noticed as they happen, not only at the next check.
   */
  static open(dataDir: string, configured: string | undefined, { watch = false } = {}): InstanceKey {
    if (configured) return InstanceKey.fixed(configured);
    const { key, created } = readOrCreateKeyFile(dataDir);
    const instanceKey = new InstanceKey(created ? 'created' : 'stored', path.join(dataDir, INSTANCE_KEY_FILE), key);
    if (watch) instanceKey.#watch(dataDir);
    return instanceKey;
  }

  /** The key in effect, in clear; undefined once its file was removed (no instance key works then). */
  get value(): string | undefined {
    this.#refresh();
    return this.#value;
  }

  /** True when `keyHash` is the hash of the key in effect right now. */
  matchesHash(keyHash: string): boolean {
    this.#refresh();
    return this.#hash !== undefined && hashesEqual(keyHash, this.#hash);
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #set(value: string | undefined): void {
    this.#value = value;
    this.#hash = value === undefined ? undefined : hashKey(value);
  }

  /** Reads the file again when it is not the one read last: cheap (one stat) and only on key checks. */
  #refresh(): void {
    if (!this.#file) return;
    const stamp = stampOf(this.#file);
    if (stamp === this.#stamp) return;
    this.#stamp = stamp;
    const before = this.#hash;
    this.#set(readKeyFile(this.#file));
    if (this.#hash !== before) this.emit('rotated');
  }

  #watch(dataDir: string): void {
    try {
      this.#watcher = fs.watch(dataDir, (_type, name) => {
        if (name === INSTANCE_KEY_FILE) this.#refresh();
      });
      // Never what keeps the process alive: a server that failed to start must still exit.
      this.#watcher.unref();
      // A watcher that fails later (the directory removed) leaves the per-check reading, which suffices.
      this.#watcher.on('error', () => this.close());
    } catch {
      // Without inotify, connections are still re-checked at their next organizer action.
    }
  }
}

/**
 * Replaces the instance key in `dataDir` with a new one and returns it. Written to a temporary file
 * renamed over the old one, so a server reading it sees either the old key or the new, never half.
 */
export function rotateInstanceKey(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const key = generateKey();
  const file = path.join(dataDir, INSTANCE_KEY_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${key}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
  return key;
}

function readOrCreateKeyFile(dataDir: string): { key: string; created: boolean } {
  const file = path.join(dataDir, INSTANCE_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing !== undefined) return { key: existing, created: false };
  fs.mkdirSync(dataDir, { recursive: true });
  const key = generateKey();
  try {
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing the data directory made it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: fs.readFileSync(file, 'utf8').trim(), created: false };
  }
  return { key, created: true };
}

function readKeyFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

function stampOf(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return 'missing';
  }
}
