import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

/**
 * Each entry runs once, in order, and is never edited after release: a database written by an
 * older version is brought forward by the entries it has not seen yet.
 */
const migrations: readonly string[] = [
  `CREATE TABLE events (
     slug TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
     key_hash TEXT NOT NULL,
     scheduled_at TEXT,
     started_at TEXT,
     ended_at TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX events_created_at ON events (created_at);`,
  // Chat: every message and moderation action of every event, in log order (seq). No foreign key to
  // events: with Redis, a process stores the entries of events another process created.
  `CREATE TABLE chat_entries (
     seq INTEGER PRIMARY KEY,
     slug TEXT NOT NULL,
     kind TEXT NOT NULL,
     at INTEGER NOT NULL,
     author_id TEXT,
     client_id TEXT,
     deleted INTEGER NOT NULL DEFAULT 0,
     body TEXT NOT NULL
   );
   CREATE INDEX chat_entries_slug_seq ON chat_entries (slug, seq);
   CREATE INDEX chat_messages_slug_at ON chat_entries (slug, at) WHERE kind = 'message';
   CREATE UNIQUE INDEX chat_messages_client_id ON chat_entries (slug, author_id, client_id) WHERE kind = 'message';`,
  // Events can be cancelled, edited (revision) and deleted (deleted_at: the row stays, with its key hash,
  // so that deleting again answers as the first time did). SQLite cannot alter a CHECK: the table is
  // rebuilt. `meta` keeps the version of the event list, which GET /api/events answers as its ETag; the
  // epoch tells a version of this database from the same number in one made afresh.
  `CREATE TABLE events_new (
     slug TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'ended', 'cancelled')),
     key_hash TEXT NOT NULL,
     scheduled_at TEXT,
     started_at TEXT,
     ended_at TEXT,
     created_at TEXT NOT NULL,
     revision INTEGER NOT NULL DEFAULT 0,
     deleted_at TEXT
   );
   INSERT INTO events_new (slug, title, status, key_hash, scheduled_at, started_at, ended_at, created_at)
     SELECT slug, title, status, key_hash, scheduled_at, started_at, ended_at, created_at FROM events;
   DROP TABLE events;
   ALTER TABLE events_new RENAME TO events;
   CREATE INDEX events_created_at ON events (created_at);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('events.epoch', lower(hex(randomblob(6)))), ('events.version', '0');`,
  // Chat address sanctions of a server without Redis (with Redis they live there): the addresses each
  // author chatted from, and the bans and mutes on addresses, each until its end (ms since the epoch).
  `CREATE TABLE chat_sanction_sets (
     key TEXT NOT NULL,
     member TEXT NOT NULL,
     until INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (key, member)
   );
   CREATE TABLE chat_sanction_values (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     until INTEGER NOT NULL
   );`,
  // An event's mirrors and pathway priority (shared/mirrors.ts MirrorSettings, as JSON): read whole,
  // written whole by its organizer; no row means the origin alone.
  `CREATE TABLE event_mirrors (
     slug TEXT PRIMARY KEY,
     settings TEXT NOT NULL
   );`,
];

/** Opens (creating if needed) the embedded SQLite database in the data directory. */
export function openDatabase(dataDir: string): Database {
  fs.mkdirSync(dataDir, { recursive: true });
  // Several processes may share one data directory: wait for another's write lock instead of failing.
  const db = new BetterSqlite3(path.join(dataDir, 'jalsa.sqlite'), { timeout: 10_000 });
  // WAL keeps readers (replay lists, chat history) from blocking the writer during a live event.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** IMMEDIATE: the version is read under the write lock, so two processes starting together never both migrate. */
function migrate(db: Database): void {
  db.transaction(() => {
    const applied = db.pragma('user_version', { simple: true }) as number;
    for (let version = applied; version < migrations.length; version++) db.exec(migrations[version]!);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
