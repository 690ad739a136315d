import { z } from 'zod';
import { Slug } from './events';

/** Where an event's HLS and recording files are served from. */
export function recordingBaseUrl(slug: string): string {
  return `/hls/${slug}`;
}

export const recordingUrls = (slug: string) => ({
  master: `${recordingBaseUrl(slug)}/master.m3u8`,
  audioOnly: `${recordingBaseUrl(slug)}/audio.m3u8`,
  poster: `${recordingBaseUrl(slug)}/poster.jpg`,
  audioDownload: `${recordingBaseUrl(slug)}/audio.m4a`,
});

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

export const ReplayListResponse = z.object({ replays: z.array(Replay) });
export type ReplayListResponse = z.infer<typeof ReplayListResponse>;
