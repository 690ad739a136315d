import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { EventStore } from '../../../../server/events/EventStore';
import { openDatabase } from '../../../../server/storage/openDatabase';

it('brings an events table written before cancelling existed forward, keeping its events and allowing cancelled', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jalsa-unit-'));
  const old = new BetterSqlite3(path.join(dataDir, 'jalsa.sqlite'));
  old.exec(`CREATE TABLE events (
     slug TEXT PRIMARY KEY, title TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
     key_hash TEXT NOT NULL, scheduled_at TEXT, started_at TEXT, ended_at TEXT, created_at TEXT NOT NULL);
   INSERT INTO events VALUES ('old-rally-1', 'Old rally', 'ended', 'abc', NULL, '2020-01-01', '2020-01-02', '2019-12-01');`);
  old.pragma('user_version = 2');
  old.close();

  const store = new EventStore(openDatabase(dataDir));
  expect(store.find('old-rally-1')).toMatchObject({ title: 'Old rally', status: 'ended', keyHash: 'abc', revision: 0, deletedAt: null });
  const version = store.version();
  store.updateStatus({ slug: 'old-rally-1', status: 'cancelled', startedAt: null, endedAt: null });
  expect(store.find('old-rally-1')).toMatchObject({ status: 'cancelled', revision: 1 });
  expect(store.version()).not.toBe(version);
});
