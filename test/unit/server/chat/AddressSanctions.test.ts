import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AddressSanctions, SqliteSanctionStore } from '../../../../server/chat/AddressSanctions';
import { createLogger } from '../../../../server/logger';
import { openDatabase } from '../../../../server/storage/openDatabase';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jalsa-sanctions-'));
const db = openDatabase(dataDir);
afterAll(() => {
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const PERIOD_MS = 60_000;

function sanctions(periodMs = PERIOD_MS) {
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  // Each test starts with no sanctions stored.
  db.exec('DELETE FROM chat_sanction_sets; DELETE FROM chat_sanction_values;');
  return { clock, sanctions: new AddressSanctions(new SqliteSanctionStore(db, now), periodMs, createLogger('silent'), now) };
}

describe('AddressSanctions', () => {
  it('bans every address the author chatted from, for the period only (carrier NAT shares addresses)', async () => {
    const { clock, sanctions: s } = sanctions();
    await s.note('rally', 'author-a', '203.0.113.1');
    await s.note('rally', 'author-a', '203.0.113.2');
    await s.impose('rally', 'author-a', 'ban', Number.POSITIVE_INFINITY);
    expect((await s.standing('rally', '203.0.113.1')).bannedUntil).toBe(clock.now + PERIOD_MS);
    expect((await s.standing('rally', '203.0.113.2')).bannedUntil).toBe(clock.now + PERIOD_MS);
    expect(await s.standing('rally', '198.51.100.1')).toEqual({ bannedUntil: undefined, mutedUntil: undefined });
    expect((await s.standing('other-rally', '203.0.113.1')).bannedUntil).toBeUndefined();
    clock.now += PERIOD_MS;
    expect((await s.standing('rally', '203.0.113.1')).bannedUntil).toBeUndefined();
  });

  it('ends an address mute with the mute when that comes first', async () => {
    const { clock, sanctions: s } = sanctions();
    await s.note('rally', 'author-a', '203.0.113.1');
    await s.impose('rally', 'author-a', 'mute', clock.now + 5_000);
    expect((await s.standing('rally', '203.0.113.1')).mutedUntil).toBe(clock.now + 5_000);
    clock.now += 5_000;
    expect((await s.standing('rally', '203.0.113.1')).mutedUntil).toBeUndefined();
  });

  it('lifts only what the author caused: another author banned at the same address stays banned', async () => {
    const { sanctions: s } = sanctions();
    await s.note('rally', 'author-a', '203.0.113.1');
    await s.impose('rally', 'author-a', 'ban', Number.POSITIVE_INFINITY);
    await s.note('rally', 'author-b', '203.0.113.1');
    await s.note('rally', 'author-b', '203.0.113.9');
    await s.impose('rally', 'author-b', 'ban', Number.POSITIVE_INFINITY);
    await s.lift('rally', 'author-a', 'ban');
    expect((await s.standing('rally', '203.0.113.1')).bannedUntil).toBeDefined();
    await s.lift('rally', 'author-b', 'ban');
    expect((await s.standing('rally', '203.0.113.1')).bannedUntil).toBeUndefined();
    expect((await s.standing('rally', '203.0.113.9')).bannedUntil).toBeUndefined();
  });

  it('holds nothing when turned off (period 0)', async () => {
    const { sanctions: s } = sanctions(0);
    await s.note('rally', 'author-a', '203.0.113.1');
    await s.impose('rally', 'author-a', 'ban', Number.POSITIVE_INFINITY);
    expect((await s.standing('rally', '203.0.113.1')).bannedUntil).toBeUndefined();
  });
});
