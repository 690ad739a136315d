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

/** A storage found unwritable is probed again this soon: it is usually being fixed, and no file is left by a failed probe. */
const RECHECK_FAILED_MS = 1_000;

/**
 * {@link isWritable} asked at most once per `intervalMs` while the answer is yes (once a second while it
 * is no), the answer kept in between: a health check anyone can poll must not write a file per request.
 * Callers meanwhile share the last probe's answer, or the one under way.
 */
export function cachedWritableCheck(dir: string, intervalMs: number, now: () => number = Date.now): () => Promise<boolean> {
  let last: { at: number; writable: Promise<boolean>; settled: boolean | undefined } | undefined;
  return () => {
    const at = now();
    const keptFor = last?.settled === false ? RECHECK_FAILED_MS : intervalMs;
    if (!last || (last.settled !== undefined && at - last.at >= keptFor)) {
      const probe = { at, writable: isWritable(dir), settled: undefined as boolean | undefined };
      void probe.writable.then((writable) => (probe.settled = writable));
      last = probe;
    }
    return last.writable;
  };
}
