import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateKey, hashKey, INSTANCE_KEY_FILE, InstanceKey, rotateInstanceKey } from '../../../../server/events/organizerKeys';

const opened: InstanceKey[] = [];

function open(dataDir: string, configured?: string): InstanceKey {
  const key = InstanceKey.open(dataDir, configured);
  opened.push(key);
  return key;
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'jalsa-keys-'));

afterEach(() => {
  for (const key of opened.splice(0)) key.close();
});

describe('InstanceKey', () => {
  it('is made once, readable by its owner only, and read back by the next start', () => {
    const dataDir = tempDir();
    const first = open(dataDir);
    expect(first.origin).toBe('created');
    expect(fs.statSync(path.join(dataDir, INSTANCE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = open(dataDir);
    expect(second.origin).toBe('stored');
    expect(second.value).toBe(first.value);
  });

  it('sees a rotation by another process at its next check, refuses the old key and says so once', () => {
    const dataDir = tempDir();
    const key = open(dataDir);
    const old = key.value!;
    const rotated = vi.fn();
    key.on('rotated', rotated);
    const replacement = rotateInstanceKey(dataDir);
    expect(key.matchesHash(hashKey(old))).toBe(false);
    expect(key.matchesHash(hashKey(replacement))).toBe(true);
    expect(key.value).toBe(replacement);
    expect(rotated).toHaveBeenCalledTimes(1);
    expect(fs.statSync(path.join(dataDir, INSTANCE_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual([INSTANCE_KEY_FILE]);
  });

  it('accepts no key while its file is missing', () => {
    const dataDir = tempDir();
    const key = open(dataDir);
    const old = key.value!;
    fs.rmSync(path.join(dataDir, INSTANCE_KEY_FILE));
    expect(key.matchesHash(hashKey(old))).toBe(false);
    expect(key.value).toBeUndefined();
  });

  it('takes a configured key as it is, without a file', () => {
    const dataDir = tempDir();
    const configured = generateKey();
    const key = open(dataDir, configured);
    expect(key.origin).toBe('configured');
    expect(key.matchesHash(hashKey(configured))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, INSTANCE_KEY_FILE))).toBe(false);
  });
});
