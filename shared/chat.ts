import { z } from 'zod';
import type { Ack } from './errors';
import { OrganizerKey, Slug } from './events';
import { Role } from './signalling';

/**
 * Live chat over the Socket.io namespace `/chat`: requests with an acknowledgement ({@link Ack}) from
 * the client, `batch` frames (everything new in an event, a few times a second) from the server.
 */
export const CHAT_NAMESPACE = '/chat';

export const MAX_MESSAGE_LENGTH = 500;
export const MAX_NAME_LENGTH = 40;
export const MAX_PIN_LENGTH = 300;
/** A newcomer, or a client that missed more than this, gets the latest messages rather than every entry. */
export const CHAT_HISTORY_LENGTH = 100;
export const MAX_SLOW_MODE_SECONDS = 3600;
export const MAX_MUTE_SECONDS = 7 * 24 * 3600;

/**
 * Characters that show nothing, or change how the text around them shows: control characters,
 * bidirectional overrides and isolates, zero-width and other format marks, and the blanks that count as
 * letters (Hangul fillers U+115F/U+1160/U+3164/U+FFA0, the Mongolian vowel separator, Khmer inherent
 * vowels, the braille blank, musical formatting, tag characters U+E0000–E007F). They let a name look
 * empty or like someone else's, and a message disguise itself or those around it; nobody needs them
 * to chat.
 */
const HIDDEN_CHARACTERS =
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u2800\u3164\uFEFF\uFFA0\u{1D173}-\u{1D17A}\u{E0000}-\u{E007F}]/gu;

/** Line and paragraph separators break lines as a newline does: counted as one. */
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * Something a reader sees: a character that is neither space nor a mark. Marks (accents, variation
 * selectors) alone show nothing, or a dotted circle at most.
 */
const VISIBLE = /[^\p{M}\p{White_Space}]/u;

/** Text as typed, without hidden characters and without more than one blank line in a row. */
function typedText(maxLength: number, { multiline }: { multiline: boolean }) {
  return z
    .string()
    .max(maxLength, `at most ${maxLength} characters`)
    .transform((text) => {
      const visible = text.replace(LINE_SEPARATORS, '\n').replace(HIDDEN_CHARACTERS, '');
      const lines = multiline ? visible.replace(/\n{3,}/g, '\n\n') : visible.replace(/\n/g, ' ');
      return lines.trim();
    })
    .pipe(z.string().regex(VISIBLE, 'must contain something visible: invisible characters are removed'));
}

export const MessageText = typedText(MAX_MESSAGE_LENGTH, { multiline: true });
export const PinText = typedText(MAX_PIN_LENGTH, { multiline: true });
export const DisplayName = typedText(MAX_NAME_LENGTH, { multiline: false });

const Token = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** A browser's secret for the chat, kept in its storage: the server only ever shows a hash of it. */
export const ClientKey = Token(22, 64);
/** Who wrote a message, as everyone sees it: derived from the author's client key. */
export const AuthorId = Token(16, 16);
/** Chosen by the client for each message so that a retried message is stored once. */
export const ClientMessageId = Token(8, 64);
/** Server-assigned, increasing across all events: the order of the chat and the cursor for catching up. */
export const EntryId = z.int().positive().max(Number.MAX_SAFE_INTEGER);
/** Milliseconds since the Unix epoch, by the server's clock. */
export const Timestamp = z.int().nonnegative();

const entry = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z.object({ kind: z.literal(kind), id: EntryId, at: Timestamp, ...shape });

export const ChatMessage = entry('message', {
  authorId: AuthorId,
  clientId: ClientMessageId,
  name: z.string(),
  role: Role,
  text: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

const ModerationEntries = [
  entry('deleted', { messageId: EntryId }),
  entry('pinned', { text: z.string().nullable() }),
  entry('slowMode', { seconds: z.int().min(0).max(MAX_SLOW_MODE_SECONDS) }),
  /** `until` null lifts the mute. */
  entry('muted', { authorId: AuthorId, until: Timestamp.nullable() }),
  entry('banned', { authorId: AuthorId, banned: z.boolean() }),
] as const;

/** Everything that happens in a chat is an entry of its log; moderation entries change what clients show. */
export const ChatEntry = z.discriminatedUnion('kind', [ChatMessage, ...ModerationEntries]);
export type ChatEntry = z.infer<typeof ChatEntry>;

/**
 * A message as the live feed carries it: without the author's client id, which only the author would
 * use (to know a message was stored, which its acknowledgement or the catch-up after a drop tell it
 * anyway) and which would cost every watcher about 20 bytes per message.
 */
export const FeedMessage = ChatMessage.omit({ clientId: true });
export type FeedMessage = z.infer<typeof FeedMessage>;
export const FeedEntry = z.discriminatedUnion('kind', [FeedMessage, ...ModerationEntries]);
export type FeedEntry = z.infer<typeof FeedEntry>;
export type ChatEntryKind = ChatEntry['kind'];
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An entry before the log gave it its id and time. */
export type ChatEntryDraft = DistributiveOmit<ChatEntry, 'id' | 'at'>;

/** An author the organizer banned, and the name of its last message (null when it never posted). */
export const BannedAuthor = z.object({ authorId: AuthorId, name: z.string().nullable() });
export type BannedAuthor = z.infer<typeof BannedAuthor>;

export const ChatState = z.object({
  pinned: z.string().nullable(),
  slowModeSeconds: z.int().min(0),
  attendees: z.int().min(0),
  /** When the joining author's mute ends, or null. */
  mutedUntil: Timestamp.nullable(),
  /** For organizers only: who is banned, so that they can be let back in. */
  banned: z.array(BannedAuthor).optional(),
});
export type ChatState = z.infer<typeof ChatState>;

/**
 * Which of an event's entries a connection is sent as they happen. `full`: all of them. `low`, for a link
 * that must keep its room for the speech: the organizer's messages, every moderation entry (pins
 * included) and a sample of the attendees' messages, at most one every few seconds.
 */
export const ChatFeed = z.enum(['full', 'low']);
export type ChatFeed = z.infer<typeof ChatFeed>;

export const JoinChatRequest = z.object({
  slug: Slug,
  clientKey: ClientKey,
  /** Present only for organizers: the instance organizer key or the event's own key. */
  key: OrganizerKey.optional(),
  /** The last entry id the client saw: it gets what came after instead of the recent history. */
  after: EntryId.optional(),
  /** `full` when absent. */
  feed: ChatFeed.optional(),
});
export const JoinChatResponse = z.object({
  role: Role,
  authorId: AuthorId,
  state: ChatState,
  entries: z.array(ChatEntry),
  /**
   * True when `entries` is the recent history, replacing whatever the client shows: for newcomers, and
   * for clients that missed more than a screenful.
   */
  reset: z.boolean(),
});
export type JoinChatResponse = z.infer<typeof JoinChatResponse>;

export const SendMessageRequest = z.object({
  clientId: ClientMessageId,
  name: DisplayName,
  text: MessageText,
});
export const SendMessageResponse = z.object({ id: EntryId, at: Timestamp });
export type SendMessageResponse = z.infer<typeof SendMessageResponse>;

const Done = z.object({}).strict();

/** Request name → [request schema, response schema]. The server validates both directions. */
export const chatRequests = {
  join: [JoinChatRequest, JoinChatResponse],
  send: [SendMessageRequest, SendMessageResponse],
  deleteMessage: [z.object({ id: EntryId }), Done],
  /** 0 seconds lifts the mute (from the author's addresses too). */
  mute: [z.object({ authorId: AuthorId, seconds: z.int().min(0).max(MAX_MUTE_SECONDS) }), Done],
  /** `banned: false` lets the author back in, and lifts the ban from its addresses. */
  ban: [z.object({ authorId: AuthorId, banned: z.boolean() }), Done],
  pin: [z.object({ text: PinText.nullable() }), Done],
  setSlowMode: [z.object({ seconds: z.int().min(0).max(MAX_SLOW_MODE_SECONDS) }), Done],
  /**
   * Switches the connection's feed. From `low` back to `full`, the answer is the recent history
   * (`reset`), as the low-data feed left gaps; otherwise nothing.
   */
  setFeed: [
    z.object({ feed: ChatFeed }).strict(),
    z.object({ entries: z.array(ChatEntry), reset: z.boolean() }),
  ],
} as const;

export type ChatRequestName = keyof typeof chatRequests;
export type ChatRequest<N extends ChatRequestName> = z.input<(typeof chatRequests)[N][0]>;
export type ChatResponse<N extends ChatRequestName> = z.infer<(typeof chatRequests)[N][1]>;

/** What a batch frame tells a client: new entries, in order, and the attendee count when it changed. */
export interface ChatBatch {
  entries: FeedEntry[];
  attendees?: number;
}

/**
 * A batch frame as it travels: one array without property names, since every watcher receives every
 * frame and names would be most of its bytes. `[attendees or null, ...entries]`; each entry is a tuple
 * starting with its kind's code, its id and its time, the id and time as differences from the entry
 * before (from 0 for the first): small numbers instead of 7 and 13 digits.
 */
const Delta = z.int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const WireEntry = z.union([
  /** An attendee's message (0) or the organizer's (1): author id, name, text. */
  z.tuple([z.union([z.literal(0), z.literal(1)]), Delta, Delta, z.string(), z.string(), z.string()]),
  /** Deleted: the message's id. */
  z.tuple([z.literal(2), Delta, Delta, z.int()]),
  /** Pinned: the text, null when taken down. */
  z.tuple([z.literal(3), Delta, Delta, z.string().nullable()]),
  /** Slow mode: its seconds. */
  z.tuple([z.literal(4), Delta, Delta, z.int()]),
  /** Muted: the author id and until when (null lifts it). */
  z.tuple([z.literal(5), Delta, Delta, z.string(), z.int().nullable()]),
  /** Banned: the author id, and whether banned or let back in. */
  z.tuple([z.literal(6), Delta, Delta, z.string(), z.boolean()]),
]);
type WireEntry = z.infer<typeof WireEntry>;
export type ChatBatchWire = [attendees: number | null, ...entries: WireEntry[]];

/** Encodes a batch once for every connection of a feed. */
export function encodeChatBatch({ entries, attendees }: ChatBatch): ChatBatchWire {
  let id = 0;
  let at = 0;
  const wire: ChatBatchWire = [attendees ?? null];
  for (const entry of entries) {
    const head = [entry.id - id, entry.at - at] as const;
    id = entry.id;
    at = entry.at;
    switch (entry.kind) {
      case 'message':
        wire.push([entry.role === 'organizer' ? 1 : 0, ...head, entry.authorId, entry.name, entry.text]);
        break;
      case 'deleted':
        wire.push([2, ...head, entry.messageId]);
        break;
      case 'pinned':
        wire.push([3, ...head, entry.text]);
        break;
      case 'slowMode':
        wire.push([4, ...head, entry.seconds]);
        break;
      case 'muted':
        wire.push([5, ...head, entry.authorId, entry.until]);
        break;
      case 'banned':
        wire.push([6, ...head, entry.authorId, entry.banned]);
        break;
    }
  }
  return wire;
}

/** Reads a batch frame without checking it: for a source trusted as the server itself ({@link ChatBatch} checks). */
export function decodeChatBatch([attendees, ...wire]: ChatBatchWire): ChatBatch {
  let id = 0;
  let at = 0;
  const entries = wire.map((tuple): FeedEntry => {
    id += tuple[1];
    at += tuple[2];
    const head = { id, at };
    switch (tuple[0]) {
      case 0:
      case 1:
        return { kind: 'message', ...head, authorId: tuple[3], name: tuple[4], text: tuple[5], role: tuple[0] === 1 ? 'organizer' : 'attendee' };
      case 2:
        return { kind: 'deleted', ...head, messageId: tuple[3] };
      case 3:
        return { kind: 'pinned', ...head, text: tuple[3] };
      case 4:
        return { kind: 'slowMode', ...head, seconds: tuple[3] };
      case 5:
        return { kind: 'muted', ...head, authorId: tuple[3], until: tuple[4] };
      case 6:
        return { kind: 'banned', ...head, authorId: tuple[3], banned: tuple[4] };
    }
  });
  return attendees === null ? { entries } : { entries, attendees };
}

/** Reads a batch frame: the wire form is checked, decoded, and the entries checked as entries. */
export const ChatBatch = z
  .tuple([z.int().min(0).nullable()], WireEntry)
  .transform(decodeChatBatch)
  .pipe(z.object({ entries: z.array(FeedEntry), attendees: z.int().min(0).optional() }));

export const chatNotifications = {
  batch: ChatBatch,
  /** This connection was banned from the event's chat. */
  removed: z.object({}),
} as const;

export type ChatNotificationName = keyof typeof chatNotifications;
export type ChatNotification<N extends ChatNotificationName> = z.infer<(typeof chatNotifications)[N]>;

export type ChatClientToServerEvents = {
  [N in ChatRequestName]: (payload: ChatRequest<N>, ack: (result: Ack<ChatResponse<N>>) => void) => void;
};
export type ChatServerToClientEvents = {
  [N in ChatNotificationName]: (payload: z.input<(typeof chatNotifications)[N]>) => void;
};

/** A message as the replay page shows it: time relative to the event's start. */
export const ReplayMessage = z.object({
  id: EntryId,
  offsetMs: z.int(),
  name: z.string(),
  role: Role,
  text: z.string(),
});
export type ReplayMessage = z.infer<typeof ReplayMessage>;

export const ChatReplayQuery = z.object({
  /** The page starts at this time, in milliseconds from the event's start. */
  from: z.coerce.number().int().min(0).default(0),
  /** Instead: the last `limit` messages up to this time (inclusive), to fill the screen after a seek. */
  until: z.coerce.number().int().min(0).optional(),
  /** Instead: continue after this message id (the previous page's `next`). */
  after: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type ChatReplayQuery = z.infer<typeof ChatReplayQuery>;

export const ChatReplayPage = z.object({
  startedAt: z.string(),
  /** Oldest first. */
  messages: z.array(ReplayMessage),
  /** Pass as `after` for the next page; null at the end, and after an `until` page (it pages backwards). */
  next: EntryId.nullable(),
});
export type ChatReplayPage = z.infer<typeof ChatReplayPage>;
