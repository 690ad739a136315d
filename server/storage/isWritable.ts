import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A storage that hangs (a lost network mount) is as unready as one that refuses. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether files can be written in a directory now, by writing and removing one: permissions alone
 * do not show a read-only mount, a full disk or something else in the directory's place.
 */
export async function isWritable(dir: string): Promise<boolean> {
  const probe = path.join(dir, `.write-probe-${crypto.randomUUID()}`);
  const attempt = (async () => {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(probe, 'ok');
    await fs.unlink(probe);
    return true;
  })().catch(() => false);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
