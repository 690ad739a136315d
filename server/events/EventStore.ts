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
  revision: number;
  deleted_at: string | null;
}

export interface StoredEvent extends PublicEvent {
  keyHash: string;
  /** Set once the event was deleted: it is listed and found no more, but its key still proves who deleted it. */
  deletedAt: string | null;
}

/** What of an event decides who may run it, and whether anyone still follows it. */
export interface KeyState {
  keyHash: string;
  deleted: boolean;
}

/**
 * Events as rows in the embedded database; no rules here, only reads and writes. Every write that changes
 * what the event list shows adds one to the list's version, in the same transaction, so that processes
 * sharing the database agree on it.
 */
export class EventStore {
  readonly #db: Database;
  readonly #insert;
  readonly #bySlug;
  readonly #all;
  readonly #updateStatus;
  readonly #updateDetails;
  readonly #updateKeyHash;
  readonly #markDeleted;
  readonly #mirrors;
  readonly #setMirrors;
  readonly #bumpVersion;
  readonly #version;
  readonly #keyStates;
  #dataVersion: number;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare<[EventRow]>(
      `INSERT INTO events (slug, title, status, key_hash, scheduled_at, started_at, ended_at, created_at, revision, deleted_at)
       VALUES (@slug, @title, @status, @key_hash, @scheduled_at, @started_at, @ended_at, @created_at, @revision, @deleted_at)`,
    );
    this.#bySlug = db.prepare<[string], EventRow>('SELECT * FROM events WHERE slug = ?');
    this.#all = db.prepare<[], EventRow>(
      'SELECT * FROM events WHERE deleted_at IS NULL ORDER BY created_at DESC, rowid DESC',
    );
    // @revision: the revision the change was decided on, or null for a copy that takes whatever is there.
    this.#updateStatus = db.prepare<[{ slug: string; status: EventStatus; started_at: string | null; ended_at: string | null; revision: number | null }]>(
      `UPDATE events SET status = @status, started_at = @started_at, ended_at = @ended_at, revision = revision + 1
       WHERE slug = @slug AND (@revision IS NULL OR revision = @revision)`,
    );
    this.#updateDetails = db.prepare<[{ slug: string; title: string; scheduled_at: string | null; revision: number | null }]>(
      `UPDATE events SET title = @title, scheduled_at = @scheduled_at, revision = revision + 1
       WHERE slug = @slug AND (@revision IS NULL OR revision = @revision)`,
    );
    this.#updateKeyHash = db.prepare<[{ slug: string; key_hash: string }]>(
      'UPDATE events SET key_hash = @key_hash WHERE slug = @slug',
    );
    this.#markDeleted = db.prepare<[{ slug: string; deleted_at: string }]>(
      'UPDATE events SET deleted_at = @deleted_at WHERE slug = @slug AND deleted_at IS NULL',
    );
    this.#mirrors = db.prepare<[string], { settings: string }>('SELECT settings FROM event_mirrors WHERE slug = ?');
    this.#setMirrors = db.prepare<[{ slug: string; settings: string }]>(
      'INSERT INTO event_mirrors (slug, settings) VALUES (@slug, @settings) ON CONFLICT (slug) DO UPDATE SET settings = @settings',
    );
    this.#bumpVersion = db.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'events.version'`);
    this.#version = db.prepare<[], { epoch: string; version: string }>(
      `SELECT (SELECT value FROM meta WHERE key = 'events.epoch') AS epoch,
              (SELECT value FROM meta WHERE key = 'events.version') AS version`,
    );
    this.#keyStates = db.prepare<[], { slug: string; key_hash: string; deleted_at: string | null }>(
      'SELECT slug, key_hash, deleted_at FROM events',
    );
    this.#dataVersion = this.#readDataVersion();
  }

  /**
   * True when another connection (another process sharing the database) committed anything since the
   * last call: SQLite's data_version, one pragma, no read of any table. Writes of this connection do
   * not count; whoever makes them tells its listeners itself.
   */
  changedElsewhere(): boolean {
    const now = this.#readDataVersion();
    const changed = now !== this.#dataVersion;
    this.#dataVersion = now;
    return changed;
  }

  /** Every event's key hash and whether it was deleted, by slug: what another process may have changed under us. */
  keyStates(): Map<string, KeyState> {
    return new Map(this.#keyStates.all().map((row) => [row.slug, { keyHash: row.key_hash, deleted: row.deleted_at !== null }]));
  }

  #readDataVersion(): number {
    return this.#db.pragma('data_version', { simple: true }) as number;
  }

  /** Changes whenever the list of events would read differently: one small read, no listing. */
  version(): string {
    const { epoch, version } = this.#version.get()!;
    return `${epoch}-${version}`;
  }

  insert(event: StoredEvent): void {
    this.#changingList(() => this.#insert.run(toRow(event)));
  }

  /** Deleted events too: callers decide what a deleted one means to them. */
  find(slug: string): StoredEvent | undefined {
    const row = this.#bySlug.get(slug);
    return row && fromRow(row);
  }

  /** Events that were not deleted, newest first. */
  list(): StoredEvent[] {
    return this.#all.all().map(fromRow);
  }

  /**
   * Writes a new status, only onto `onRevision` when given: false when the event changed since (another
   * process sharing the database wrote it), so that a change decided on an old state is never applied.
   */
  updateStatus(event: Pick<StoredEvent, 'slug' | 'status' | 'startedAt' | 'endedAt'>, onRevision?: number): boolean {
    return this.#changingList(() =>
      this.#updateStatus.run({
        slug: event.slug,
        status: event.status,
        started_at: event.startedAt,
        ended_at: event.endedAt,
        revision: onRevision ?? null,
      }),
    );
  }

  /** Writes a new title and time; `onRevision` as for {@link updateStatus}. */
  updateDetails(event: Pick<StoredEvent, 'slug' | 'title' | 'scheduledAt'>, onRevision?: number): boolean {
    return this.#changingList(() =>
      this.#updateDetails.run({ slug: event.slug, title: event.title, scheduled_at: event.scheduledAt, revision: onRevision ?? null }),
    );
  }

  updateKeyHash(slug: string, keyHash: string): void {
    this.#updateKeyHash.run({ slug, key_hash: keyHash });
  }

  /** The event's mirror settings as written (JSON), or undefined when none were ever set. */
  mirrorSettings(slug: string): string | undefined {
    return this.#mirrors.get(slug)?.settings;
  }

  setMirrorSettings(slug: string, settings: string): void {
    this.#setMirrors.run({ slug, settings });
  }

  markDeleted(slug: string, deletedAt: string): void {
    this.#changingList(() => this.#markDeleted.run({ slug, deleted_at: deletedAt }));
  }

  /** Runs a write and, when it changed a row, raises the list's version with it; true when it did. */
  #changingList(write: () => { changes: number }): boolean {
    return this.#db.transaction(() => {
      const changed = write().changes > 0;
      if (changed) this.#bumpVersion.run();
      return changed;
    })();
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
    revision: e.revision,
    deleted_at: e.deletedAt,
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
    revision: r.revision,
    deletedAt: r.deleted_at,
  };
}
