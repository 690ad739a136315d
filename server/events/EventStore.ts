import type { EventStatus, PublicEvent } from '../../shared/events';
import type { Database } from '../storage/openDatabase';

interface EventRow {
  slug: string;
  title: string;
  status: EventStatus;
  key_hash: string;
  scheduled_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  created_at: string;
}

export interface StoredEvent extends PublicEvent {
  keyHash: string;
}

/** Events as rows in the embedded database; no rules here, only reads and writes. */
export class EventStore {
  readonly #insert;
  readonly #bySlug;
  readonly #all;
  readonly #updateStatus;
  readonly #updateKeyHash;

  constructor(db: Database) {
    this.#insert = db.prepare<[EventRow]>(
      `INSERT INTO events (slug, title, status, key_hash, scheduled_at, started_at, ended_at, created_at)
       VALUES (@slug, @title, @status, @key_hash, @scheduled_at, @started_at, @ended_at, @created_at)`,
    );
    this.#bySlug = db.prepare<[string], EventRow>('SELECT * FROM events WHERE slug = ?');
    this.#all = db.prepare<[], EventRow>('SELECT * FROM events ORDER BY created_at DESC, rowid DESC');
    this.#updateStatus = db.prepare<[{ slug: string; status: EventStatus; started_at: string | null; ended_at: string | null }]>(
      'UPDATE events SET status = @status, started_at = @started_at, ended_at = @ended_at WHERE slug = @slug',
    );
    this.#updateKeyHash = db.prepare<[{ slug: string; key_hash: string }]>(
      'UPDATE events SET key_hash = @key_hash WHERE slug = @slug',
    );
  }

  insert(event: StoredEvent): void {
    this.#insert.run(toRow(event));
  }

  find(slug: string): StoredEvent | undefined {
    const row = this.#bySlug.get(slug);
    return row && fromRow(row);
  }

  list(): StoredEvent[] {
    return this.#all.all().map(fromRow);
  }

  updateStatus(event: Pick<StoredEvent, 'slug' | 'status' | 'startedAt' | 'endedAt'>): void {
    this.#updateStatus.run({
      slug: event.slug,
      status: event.status,
      started_at: event.startedAt,
      ended_at: event.endedAt,
    });
  }

  updateKeyHash(slug: string, keyHash: string): void {
    this.#updateKeyHash.run({ slug, key_hash: keyHash });
  }
}

function toRow(e: StoredEvent): EventRow {
  return {
    slug: e.slug,
    title: e.title,
    status: e.status,
    key_hash: e.keyHash,
    scheduled_at: e.scheduledAt,
    started_at: e.startedAt,
    ended_at: e.endedAt,
    created_at: e.createdAt,
  };
}

function fromRow(r: EventRow): StoredEvent {
  return {
    slug: r.slug,
    title: r.title,
    status: r.status,
    keyHash: r.key_hash,
    scheduledAt: r.scheduled_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    createdAt: r.created_at,
  };
}
