import type { ChatClient, ChatView, KeyValueStorage } from '../../client/src/chat/ChatClient';

/** The chat client's `localStorage` in Node: kept in memory, one per simulated browser. */
export class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** Resolves with the chat client's view once `predicate` holds for it; rejects after `timeoutMs`. */
export function until(client: ChatClient, predicate: (view: ChatView) => boolean, what: string, timeoutMs = 10_000): Promise<ChatView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`the chat client never reached: ${what} (it is ${client.store.get().connection})`));
    }, timeoutMs);
    const check = () => {
      if (!predicate(client.store.get())) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(client.store.get());
    };
    const unsubscribe = client.store.subscribe(check);
    check();
  });
}
