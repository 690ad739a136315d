import type { ChatEntry, ChatMessage } from '../../shared/chat';
import type { Database } from '../storage/openDatabase';

interface EntryRow {
  seq: number;
  slug: string;
  kind: ChatEntry['kind'];
  at: number;
  author_id: string | null;
  client_id: string | null;
  body: string;
}

/** What a log entry is stored as: the entry and the event it belongs to. */
export interface ChatRecord {
  slug: string;
  entry: ChatEntry;
}

/**
 * Chat entries as rows of the embedded database, in log order. Bodies are the entries as JSON, written
 * only by this process from validated entries, so they are read back without another validation.
 */
export class ChatStore {
  readonly #db: Database;
  readonly #insert;
  readonly #blankMessage;
  readonly #maxSeq;
  readonly #byClientId;
  readonly #lastByAuthor;
  readonly #messageById;
  readonly #recent;
  readonly #after;
  readonly #moderation;
  readonly #replayFrom;
  readonly #replayAfter;
  readonly #replayUntil;
  readonly #removeEvent;

  constructor(db: Database) {
    this.#db = db;
    // OR IGNORE: with Redis every process stores every entry, possibly into one shared database.
    this.#insert = db.prepare<[Omit<EntryRow, 'deleted'>]>(
      `INSERT OR IGNORE INTO chat_entries (seq, slug, kind, at, author_id, client_id, body)
       VALUES (@seq, @slug, @kind, @at, @author_id, @client_id, @body)`,
    );
    // The text goes from storage too, not only from view: deleting is what the organizer asked for.
    this.#blankMessage = db.prepare<[{ slug: string; seq: number }]>(
      `UPDATE chat_entries SET deleted = 1, body = json_set(body, '$.text', '')
       WHERE seq = @seq AND slug = @slug AND kind = 'message'`,
    );
    this.#maxSeq = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM chat_entries');
    this.#byClientId = db.prepare<[string, string, string], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND author_id = ? AND client_id = ? AND kind = 'message'`,
    );
    // Served by the unique (slug, author_id, client_id) index.
    this.#lastByAuthor = db.prepare<[string, string], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND author_id = ? AND kind = 'message' ORDER BY seq DESC LIMIT 1`,
    );
    this.#messageById = db.prepare<[string, number], { body: string; deleted: number }>(
      `SELECT body, deleted FROM chat_entries WHERE slug = ? AND seq = ? AND kind = 'message'`,
    );
    this.#recent = db.prepare<[string, number], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND kind = 'message' AND deleted = 0
       ORDER BY seq DESC LIMIT ?`,
    );
    this.#after = db.prepare<[string, number, number], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND seq > ? AND deleted = 0 ORDER BY seq LIMIT ?`,
    );
    this.#moderation = db.prepare<[string], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND kind != 'message' AND kind != 'deleted' ORDER BY seq`,
    );
    this.#replayFrom = db.prepare<[string, number, number], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND kind = 'message' AND deleted = 0 AND at >= ?
       ORDER BY seq LIMIT ?`,
    );
    this.#replayAfter = db.prepare<[string, number, number], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND kind = 'message' AND deleted = 0 AND seq > ?
       ORDER BY seq LIMIT ?`,
    );
    this.#replayUntil = db.prepare<[string, number, number], { body: string }>(
      `SELECT body FROM chat_entries WHERE slug = ? AND kind = 'message' AND deleted = 0 AND at <= ?
       ORDER BY at DESC, seq DESC LIMIT ?`,
    );
    this.#removeEvent = db.prepare<[string]>('DELETE FROM chat_entries WHERE slug = ?');
  }

  /** Every entry of an event, as when the event is deleted. */
  removeEvent(slug: string): void {
    this.#removeEvent.run(slug);
  }

  /** Stores an entry (once, whoever stores it again) and applies a deletion to its message. */
  append({ slug, entry }: ChatRecord): void {
    this.#db.transaction(() => {
      this.#insert.run({
        seq: entry.id,
        slug,
        kind: entry.kind,
        at: entry.at,
        author_id: entry.kind === 'message' ? entry.authorId : null,
        client_id: entry.kind === 'message' ? entry.clientId : null,
        body: JSON.stringify(entry),
      });
      if (entry.kind === 'deleted') this.#blankMessage.run({ slug, seq: entry.messageId });
    })();
  }

  /** The highest entry id stored, of any event; 0 when there is none. */
  maxSeq(): number {
    return this.#maxSeq.get()?.seq ?? 0;
  }

  /** The message an author already sent with this client id, if any: a retry gets the same answer. */
  findByClientId(slug: string, authorId: string, clientId: string): ChatMessage | undefined {
    const row = this.#byClientId.get(slug, authorId, clientId);
    return row && (JSON.parse(row.body) as ChatMessage);
  }

  /** Whether the author has any message in this event, deleted ones included. */
  hasPosted(slug: string, authorId: string): boolean {
    return this.#lastByAuthor.get(slug, authorId) !== undefined;
  }

  /** The name the author gave with its last message in this event. */
  lastName(slug: string, authorId: string): string | undefined {
    const row = this.#lastByAuthor.get(slug, authorId);
    return row && (JSON.parse(row.body) as ChatMessage).name;
  }

  /** A message of this event; `deleted` tells whether it was taken down. */
  message(slug: string, id: number): { message: ChatMessage; deleted: boolean } | undefined {
    const row = this.#messageById.get(slug, id);
    return row && { message: JSON.parse(row.body) as ChatMessage, deleted: row.deleted === 1 };
  }

  /** The latest messages that were not deleted, oldest first. */
  recent(slug: string, limit: number): ChatMessage[] {
    return parseAll<ChatMessage>(this.#recent.all(slug, limit)).reverse();
  }

  /** Entries after `seq`, oldest first, leaving out deleted messages. */
  after(slug: string, seq: number, limit: number): ChatEntry[] {
    return parseAll(this.#after.all(slug, seq, limit));
  }

  /** Every pin, slow-mode, mute and ban entry of an event, oldest first: enough to rebuild its rules. */
  moderation(slug: string): ChatEntry[] {
    return parseAll(this.#moderation.all(slug));
  }

  /** Messages for the replay, oldest first: from a time on, after a message id, or the last ones up to a time. */
  replay(slug: string, position: { from: number } | { after: number } | { until: number }, limit: number): ChatMessage[] {
    if ('from' in position) return parseAll(this.#replayFrom.all(slug, position.from, limit));
    if ('after' in position) return parseAll(this.#replayAfter.all(slug, position.after, limit));
    return parseAll<ChatMessage>(this.#replayUntil.all(slug, position.until, limit)).reverse();
  }
}

function parseAll<T = ChatEntry>(rows: { body: string }[]): T[] {
  return rows.map((row) => JSON.parse(row.body) as T);
}
