import crypto from 'node:crypto';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { ChatService } from '../../server/chat/ChatService';
import { CHAT_NAMESPACE, ChatBatch, type ChatFeed, type FeedEntry, type JoinChatResponse } from '../../shared/chat';
import type { Role } from '../../shared/signalling';
import { SignallingClient } from './SignallingClient';

export function randomToken(bytes = 16): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/**
 * Messages appended straight to an event's log, past every per-connection and per-address limit, as a
 * busy rally's many attendees post them; appended together, they fall within one frame and one sample.
 */
export async function appendMessages(chat: ChatService, slug: string, texts: readonly string[], role: Role = 'attendee'): Promise<void> {
  await Promise.all(
    texts.map((text) =>
      chat.append(slug, { kind: 'message', authorId: 'AAAAAAAAAAAAAAAA', clientId: randomToken(9), name: role === 'organizer' ? 'Host' : 'Crowd', role, text }),
    ),
  );
}

let addresses = 0;

/** A fresh address in 10.0.0.0/8 for each call. */
function nextAddress(): string {
  addresses += 1;
  return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
}

/**
 * A raw `/chat` client for tests: a {@link SignallingClient} on its own connection that also keeps every
 * batch frame it is sent, checked against the shared schema. Every client opened is closed by
 * {@link ChatTestClient.closeAll} (an afterEach hook).
 */
export class ChatTestClient extends SignallingClient {
  static readonly #open = new Set<ChatTestClient>();

  readonly clientKey: string;
  readonly batches: ChatBatch[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(client: SignallingClient, clientKey: string) {
    super(client.socket);
    this.clientKey = clientKey;
    this.socket.on('batch', (payload: unknown) => {
      this.batches.push(ChatBatch.parse(payload));
      for (const wake of this.#waiters) wake();
    });
  }

  /**
   * Each client comes from an address of its own (as the trusted local proxy would report it), as
   * attendees on their own phones do, unless `extraHeaders` say otherwise: address bans and slow mode
   * of one test client must not reach the others by accident.
   */
  static async open(
    url: string,
    {
      clientKey = randomToken(),
      extraHeaders = { 'x-forwarded-for': nextAddress() },
      ...options
    }: Partial<ManagerOptions & SocketOptions> & { clientKey?: string } = {},
  ): Promise<ChatTestClient> {
    const client = await SignallingClient.connect(url, CHAT_NAMESPACE, { forceNew: true, extraHeaders, ...options });
    const chat = new ChatTestClient(client, clientKey);
    ChatTestClient.#open.add(chat);
    return chat;
  }

  static closeAll(): void {
    for (const client of ChatTestClient.#open) client.close();
    ChatTestClient.#open.clear();
  }

  /** Every entry received in frames so far, in order. */
  get entries(): FeedEntry[] {
    return this.batches.flatMap((batch) => batch.entries);
  }

  join(slug: string, extra: { key?: string; after?: number; feed?: ChatFeed } = {}): Promise<JoinChatResponse> {
    return this.ok<JoinChatResponse>('join', { slug, clientKey: this.clientKey, ...extra });
  }

  /** Resolves with the received entries once `predicate` holds for them. */
  waitFor(predicate: (entries: FeedEntry[]) => boolean, what: string, timeoutMs = 10_000): Promise<FeedEntry[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.entries)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(this.entries);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits until a message with this text arrived in a frame. */
  waitForMessage(text: string): Promise<FeedEntry[]> {
    return this.waitFor((entries) => entries.some((e) => e.kind === 'message' && e.text === text), `message "${text}"`);
  }
}
