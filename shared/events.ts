import { z } from 'zod';

/** `cancelled` is final, like `ended`, for an event called off before it went live. */
export const EventStatus = z.enum(['scheduled', 'live', 'ended', 'cancelled']);
export type EventStatus = z.infer<typeof EventStatus>;

/** Ended or cancelled: nothing more happens in the event (no going live, no chat, no broadcast). */
export function isOver(status: EventStatus): boolean {
  return status === 'ended' || status === 'cancelled';
}

/** Public slugs are lowercase words and digits joined by dashes; nothing that could walk a path. */
export const Slug = z
  .string()
  .min(3)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'slug must be lowercase letters, digits and dashes');
export type Slug = z.infer<typeof Slug>;

/**
 * An organizer key: generated ones are 43 base64url characters (32 random bytes); a configured
 * `ORGANIZER_KEY` must have the same form, or the studio and bearer headers could not carry it.
 */
export const OrganizerKey = z
  .string()
  .min(20, 'an organizer key has at least 20 characters')
  .max(200, 'an organizer key has at most 200 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'an organizer key has only the characters A–Z a–z 0–9 _ -');

export const PublicEvent = z.object({
  slug: Slug,
  title: z.string(),
  status: EventStatus,
  scheduledAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  createdAt: z.string(),
  /** Counts the changes of what is shown here: an edit names the revision it was made on, so a stale one is refused. */
  revision: z.number().int().nonnegative(),
});
export type PublicEvent = z.infer<typeof PublicEvent>;

const Title = z.string().trim().min(1, 'title is required').max(200);
const ScheduledAt = z.iso.datetime({ offset: true });

export const CreateEventRequest = z.object({
  title: Title,
  scheduledAt: ScheduledAt.nullish(),
});
export type CreateEventRequest = z.infer<typeof CreateEventRequest>;

/**
 * An organizer's edit: a new title, a new time (`null`: no time set) or both. `revision` is the one the
 * organizer saw: when the event changed since, the edit is refused instead of undoing that change (a
 * request that arrives late, or another tab's edit). An edit that changes nothing succeeds whatever its
 * revision, so sending it again is harmless.
 */
export const UpdateEventRequest = z
  .strictObject({
    title: Title.optional(),
    scheduledAt: ScheduledAt.nullable().optional(),
    revision: z.number().int().nonnegative().optional(),
  })
  .refine((edit) => edit.title !== undefined || edit.scheduledAt !== undefined, 'give a title or a scheduledAt to change');
export type UpdateEventRequest = z.infer<typeof UpdateEventRequest>;

/** `DELETE /api/events/<slug>?recordings=remove` also removes the recording's files; by default they are kept on disk. */
export const DeleteEventQuery = z.object({ recordings: z.enum(['keep', 'remove']).default('keep') });
export type DeleteEventQuery = z.infer<typeof DeleteEventQuery>;

export const EventResponse = z.object({ event: PublicEvent });
export type EventResponse = z.infer<typeof EventResponse>;

export const CreateEventResponse = z.object({
  event: PublicEvent,
  /** Shown once: the server keeps only its hash. */
  organizerKey: z.string(),
});
export type CreateEventResponse = z.infer<typeof CreateEventResponse>;

/** A rotated event key: shown once, like a new event's. */
export const EventKeyResponse = z.object({ organizerKey: OrganizerKey });
export type EventKeyResponse = z.infer<typeof EventKeyResponse>;

export const EventListResponse = z.object({ events: z.array(PublicEvent) });
export type EventListResponse = z.infer<typeof EventListResponse>;

/** Answer to going live from an uploaded recording. */
export const FileBroadcastResponse = z.object({
  durationSeconds: z.number().nonnegative(),
  hasVideo: z.boolean(),
});
export type FileBroadcastResponse = z.infer<typeof FileBroadcastResponse>;

/**
 * What a file broadcast does when its file has played to the end: `end` the event, `loop` the file
 * from the start, or `hold` a "we will be right back" slate (with silence) until the organizer acts.
 */
export const FileBroadcastEnd = z.enum(['end', 'loop', 'hold']);
export type FileBroadcastEnd = z.infer<typeof FileBroadcastEnd>;

/**
 * The query of `POST /api/events/:slug/file-broadcast`, checked before a byte of the upload is read.
 * Without a choice the slate is held: nothing irreversible happens to an event nobody decided to end.
 */
export const FileBroadcastQuery = z.object({ atEnd: FileBroadcastEnd.default('hold') });
export type FileBroadcastQuery = z.infer<typeof FileBroadcastQuery>;

/** A file broadcast under way: the file `playing`, or the slate `holding` after it ended. */
export const FileBroadcastStatus = z.object({
  state: z.enum(['playing', 'holding']),
  atEnd: FileBroadcastEnd,
});
export type FileBroadcastStatus = z.infer<typeof FileBroadcastStatus>;
