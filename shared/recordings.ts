import { z } from 'zod';
import { Slug } from './events';

export const Replay = z.object({
  slug: Slug,
  title: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().nonnegative(),
  hasVideo: z.boolean(),
  hasPoster: z.boolean(),
  hasAudioDownload: z.boolean(),
});
export type Replay = z.infer<typeof Replay>;

/** The most replays one `/api/replays` answer lists: a page, however many recordings the server keeps. */
export const MAX_REPLAYS_PER_PAGE = 100;

export const ReplayListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_REPLAYS_PER_PAGE).default(50),
  /** How many replays to skip: the previous page's `next`. */
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
export type ReplayListQuery = z.infer<typeof ReplayListQuery>;

export const ReplayListResponse = z.object({
  /** Newest event first. */
  replays: z.array(Replay),
  /** The `offset` of the next page; null on the last one. */
  next: z.int().min(0).nullable(),
});
export type ReplayListResponse = z.infer<typeof ReplayListResponse>;

export const ReplayResponse = z.object({ replay: Replay });
export type ReplayResponse = z.infer<typeof ReplayResponse>;
