import { z } from 'zod';
import { Slug } from './events';
import { recordingFiles, recordingUrl } from './recordingLayout';

export const recordingUrls = (slug: string) => ({
  master: recordingUrl(slug, recordingFiles.master),
  audioOnly: recordingUrl(slug, recordingFiles.audioPlaylist),
  poster: recordingUrl(slug, recordingFiles.poster),
  audioDownload: recordingUrl(slug, recordingFiles.audioDownload),
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
