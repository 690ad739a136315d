import type { EventEmitter } from 'node:events';
import type { ChatEntryDraft } from '../../shared/chat';
import { UnavailableError } from '../errors';
import type { ChatRecord } from './ChatStore';

export interface ChatLogEvents {
  /** Every entry appended, here or (with Redis) by another process, in id order, once stored. */
  entry: [record: ChatRecord];
}

/** Where an appended entry got its place: the id and time the server acknowledges. */
export interface Appended {
  id: number;
  at: number;
}

/**
 * The order of an event's chat: assigns ids and times, stores every entry and tells about each one.
 * Embedded in this process ({@link LocalChatLog}) or shared by several through Redis ({@link RedisChatLog}).
 */
export interface ChatLog extends EventEmitter<ChatLogEvents> {
  /** A message whose author already sent its client id is not appended again: the first one's place is returned. */
  append(slug: string, draft: ChatEntryDraft): Promise<Appended>;
  /** Whether an append can succeed now (false while a shared log's Redis is unreachable). */
  readonly available: boolean;
  close(): Promise<void>;
}

/** What a client is told while the log cannot take entries: its outbox sends the message again. */
export function chatUnavailable(): UnavailableError {
  return new UnavailableError('the chat is unavailable for a moment; try again');
}
