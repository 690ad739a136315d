import type { EventEmitter } from 'node:events';
import type { ChatEntryDraft } from '../../shared/chat';
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
  close(): Promise<void>;
}
