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
