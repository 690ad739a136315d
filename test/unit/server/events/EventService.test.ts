import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EventService } from '../../../../server/events/EventService';
import { EventStore } from '../../../../server/events/EventStore';
import { generateKey, InstanceKey } from '../../../../server/events/organizerKeys';
import { openDatabase } from '../../../../server/storage/openDatabase';

let dataDir: string;
let service: EventService;
const instanceKey = generateKey();

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jalsa-unit-'));
  service = new EventService(new EventStore(openDatabase(dataDir)), InstanceKey.fixed(instanceKey));
});

describe('EventService', () => {
  it('creates a scheduled event with a readable, unique slug', () => {
    const a = service.create({ title: 'Jalsa at Minar-e-Pakistan!' });
    const b = service.create({ title: 'Jalsa at Minar-e-Pakistan!' });
    expect(a.event.slug).toMatch(/^jalsa-at-minar-e-pakistan-[0-9a-f]{8}$/);
    expect(b.event.slug).not.toBe(a.event.slug);
    expect(a.event.status).toBe('scheduled');
  });

  it('makes a slug for a title with no Latin letters', () => {
    expect(service.create({ title: 'جلسہ' }).event.slug).toMatch(/^event-[0-9a-f]{8}$/);
  });

  it('keeps only a hash of the event key', () => {
    const { organizerKey } = service.create({ title: 'Rally' });
    const file = fs.readFileSync(path.join(dataDir, 'jalsa.sqlite'));
    const wal = fs.existsSync(path.join(dataDir, 'jalsa.sqlite-wal'))
      ? fs.readFileSync(path.join(dataDir, 'jalsa.sqlite-wal'))
      : Buffer.alloc(0);
    expect(file.includes(organizerKey)).toBe(false);
    expect(wal.includes(organizerKey)).toBe(false);
  });

  it('accepts the event key or the instance key as organizer, nothing else', () => {
    const first = service.create({ title: 'First' });
    const second = service.create({ title: 'Second' });
    expect(service.isOrganizer(first.event.slug, first.organizerKey)).toBe(true);
    expect(service.isOrganizer(first.event.slug, instanceKey)).toBe(true);
    expect(service.isOrganizer(first.event.slug, second.organizerKey)).toBe(false);
    expect(service.isOrganizer(first.event.slug, generateKey())).toBe(false);
    expect(service.isOrganizer('no-such-event', instanceKey)).toBe(false);
  });

  it('rotates an event key: the new one runs the event, the old one no longer, and listeners are told', () => {
    const { event, organizerKey: old } = service.create({ title: 'Rally' });
    const other = service.create({ title: 'Other' });
    const keysChanged = vi.fn();
    service.on('keysChanged', keysChanged);
    const { organizerKey } = service.rotateKey(event.slug);
    expect(organizerKey).not.toBe(old);
    expect(service.isOrganizer(event.slug, organizerKey)).toBe(true);
    expect(service.isOrganizer(event.slug, old)).toBe(false);
    expect(service.isOrganizer(other.event.slug, other.organizerKey)).toBe(true);
    expect(service.isOrganizer(event.slug, instanceKey)).toBe(true);
    expect(keysChanged).toHaveBeenCalledExactlyOnceWith(event.slug);
  });

  it('revokes an event key, leaving the event to the instance key', () => {
    const { event, organizerKey } = service.create({ title: 'Rally' });
    service.revokeKey(event.slug);
    expect(service.isOrganizer(event.slug, organizerKey)).toBe(false);
    expect(service.isOrganizer(event.slug, instanceKey)).toBe(true);
    expect(() => service.revokeKey('no-such-event')).toThrowError(/not found/);
  });

  it('moves scheduled → live → ended, announcing each change once', () => {
    const { event } = service.create({ title: 'Rally' });
    const updated = vi.fn();
    service.on('updated', updated);
    expect(service.goLive(event.slug).status).toBe('live');
    expect(service.goLive(event.slug).status).toBe('live');
    expect(service.end(event.slug).status).toBe('ended');
    expect(updated.mock.calls.map(([e]) => e.status)).toEqual(['live', 'ended']);
    expect(() => service.goLive(event.slug)).toThrowError(/ended/);
    const stored = service.get(event.slug);
    expect(stored.startedAt).not.toBeNull();
    expect(stored.endedAt).not.toBeNull();
  });

  it('normalises the scheduled time to UTC', () => {
    const { event } = service.create({ title: 'Later', scheduledAt: '2026-12-01T18:00:00+05:00' });
    expect(event.scheduledAt).toBe('2026-12-01T13:00:00.000Z');
  });

  it('reports an unknown slug as not found', () => {
    expect(() => service.get('nothing-here')).toThrowError(/not found/);
  });
});

describe('EventService: running an event', () => {
  it('announces edits and cancelling with the new revision, and changes the list version with each', () => {
    const { event } = service.create({ title: 'Rally' });
    const updated = vi.fn();
    service.on('updated', updated);
    const version = service.listVersion();
    expect(service.update(event.slug, { title: 'Evening rally', revision: 0 })).toMatchObject({ title: 'Evening rally', revision: 1 });
    const afterEdit = service.listVersion();
    expect(afterEdit).not.toBe(version);
    expect(service.update(event.slug, { title: 'Evening rally', revision: 0 }).revision).toBe(1);
    expect(service.listVersion()).toBe(afterEdit);
    const cancelled = service.cancel(event.slug, new Date('2030-01-01T00:00:00Z'));
    expect(cancelled).toMatchObject({ status: 'cancelled', endedAt: '2030-01-01T00:00:00.000Z', revision: 2 });
    expect(updated.mock.calls.map(([e]) => e.revision)).toEqual([1, 2]);
  });

  it('deletes once: the event is found no more, its key still proves its organizer, and listeners hear it once', () => {
    const { event, organizerKey } = service.create({ title: 'Rally' });
    const deleted = vi.fn();
    service.on('deleted', deleted);
    service.delete(event.slug);
    service.delete(event.slug);
    expect(deleted).toHaveBeenCalledTimes(1);
    expect(() => service.get(event.slug)).toThrow(/not found/);
    expect(service.list()).toEqual([]);
    expect(service.isOrganizer(event.slug, organizerKey)).toBe(false);
    expect(service.ranEvent(event.slug, organizerKey)).toBe(true);
    expect(service.ranEvent(event.slug, generateKey())).toBe(false);
  });

  it('refuses to delete a live event', () => {
    const { event } = service.create({ title: 'Rally' });
    service.goLive(event.slug);
    expect(() => service.delete(event.slug)).toThrow(/end it before deleting/);
    expect(service.get(event.slug).status).toBe('live');
  });
});
