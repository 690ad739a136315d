import { EventEmitter } from 'node:events';
import type { ChatEntry, ChatEntryDraft } from '../../shared/chat';
import type { Appended, ChatLog, ChatLogEvents } from './ChatLog';
import type { ChatStore } from './ChatStore';

/** The chat log of a single process: ids from a counter, entries stored as they are appended. */
export class LocalChatLog extends EventEmitter<ChatLogEvents> implements ChatLog {
  readonly #store: ChatStore;
  readonly #now: () => number;
  #nextId: number;

  constructor(store: ChatStore, now: () => number = Date.now) {
    super();
    this.#store = store;
    this.#now = now;
    this.#nextId = store.maxSeq() + 1;
  }

  async append(slug: string, draft: ChatEntryDraft): Promise<Appended> {
    if (draft.kind === 'message') {
      const earlier = this.#store.findByClientId(slug, draft.authorId, draft.clientId);
      if (earlier) return { id: earlier.id, at: earlier.at };
    }
    const entry = { ...draft, id: this.#nextId++, at: this.#now() } as ChatEntry;
    this.#store.append({ slug, entry });
    this.emit('entry', { slug, entry });
    return { id: entry.id, at: entry.at };
  }

  readonly available = true;

  async close(): Promise<void> {
    this.removeAllListeners();
  }
}
