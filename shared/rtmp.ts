import { z } from 'zod';
import { OrganizerKey, Slug } from './events';

/**
 * Going live from OBS or any encoder over RTMP. OBS asks for a server URL (`rtmp://host:port/live`)
 * and a stream key; the stream key names the event and carries a key that runs it, so a wrong one is
 * refused before anything happens.
 */
export const RTMP_APP = 'live';

/** Slugs never contain `_`, so the first one ends the slug whatever the key holds. */
const STREAM_KEY_SEPARATOR = '_';

/** The stream key OBS is given for an event, from a key that runs it (the event's or the instance's). */
export function rtmpStreamKey(slug: string, organizerKey: string): string {
  return `${slug}${STREAM_KEY_SEPARATOR}${organizerKey}`;
}

/** The event and key a stream key names, or undefined for one that cannot be one of ours. */
export function parseRtmpStreamKey(streamKey: string): { slug: string; key: string } | undefined {
  const at = streamKey.indexOf(STREAM_KEY_SEPARATOR);
  if (at < 0) return undefined;
  const slug = Slug.safeParse(streamKey.slice(0, at));
  const key = OrganizerKey.safeParse(streamKey.slice(at + 1));
  return slug.success && key.success ? { slug: slug.data, key: key.data } : undefined;
}

/**
 * An event's encoder: `receiving` while one publishes, `disconnected` after it dropped (the event stays
 * live: the organizer may reconnect OBS). No status (`null`) while no encoder has published.
 */
export const RtmpIngestStatus = z.object({ state: z.enum(['receiving', 'disconnected']) });
export type RtmpIngestStatus = z.infer<typeof RtmpIngestStatus>;

/** `GET /api/events/:slug/rtmp`, for the event's organizer: what OBS needs besides the key, and the encoder's status. */
export const RtmpSettingsResponse = z.object({
  /** `rtmp://host:port/live`, or null when this server takes no RTMP (`RTMP_ENABLED=false`, or an edge). */
  serverUrl: z.string().nullable(),
  status: RtmpIngestStatus.nullable(),
});
export type RtmpSettingsResponse = z.infer<typeof RtmpSettingsResponse>;
