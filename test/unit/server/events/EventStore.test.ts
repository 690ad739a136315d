import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { EventStore } from '../../../../server/events/EventStore';
import { openDatabase } from '../../../../server/storage/openDatabase';

it('applies a change only onto the revision it was decided on, as two processes sharing the database need', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jalsa-unit-'));
  // Two stores on one file: two server processes on one data directory.
  const here = new EventStore(openDatabase(dataDir));
  const there = new EventStore(openDatabase(dataDir));
  here.insert({
    slug: 'rally-1234abcd',
    title: 'Rally',
    status: 'scheduled',
    keyHash: 'abc',
    scheduledAt: null,
    startedAt: null,
    endedAt: null,
    createdAt: '2029-12-01T00:00:00.000Z',
    revision: 0,
    deletedAt: null,
  });
  expect(there.updateStatus({ slug: 'rally-1234abcd', status: 'live', startedAt: '2030-01-01T00:00:00.000Z', endedAt: null }, 0)).toBe(true);
  const version = here.version();
  // Decided here on revision 0, before the other process's change: refused, and nothing changes.
  expect(here.updateStatus({ slug: 'rally-1234abcd', status: 'cancelled', startedAt: null, endedAt: null }, 0)).toBe(false);
  expect(here.updateDetails({ slug: 'rally-1234abcd', title: 'Stale', scheduledAt: null }, 0)).toBe(false);
  expect(here.find('rally-1234abcd')).toMatchObject({ status: 'live', title: 'Rally', revision: 1 });
  expect(here.version()).toBe(version);
  expect(here.updateDetails({ slug: 'rally-1234abcd', title: 'Rally, live', scheduledAt: null }, 1)).toBe(true);
  expect(there.find('rally-1234abcd')).toMatchObject({ title: 'Rally, live', revision: 2 });
});
