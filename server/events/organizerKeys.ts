import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** 32 random bytes: long enough that a plain SHA-256 is a safe way to store it (no need to stretch). */
export function generateKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyMatchesHash(key: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashKey(key), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/**
 * The instance organizer key creates events and runs any of them. Unless configured, it is made on
 * first start and kept readable only by the server's user, so `npm start` can print it every time.
 */
export function loadInstanceKey(dataDir: string, configured: string | undefined): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'organizer.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = generateKey();
  try {
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing the data directory made it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fs.readFileSync(file, 'utf8').trim();
  }
  return key;
}
