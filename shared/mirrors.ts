/** An event's mirrors as its organizer lists them; the steering they feed is in steering.ts. */
import { z } from 'zod';
import { ORIGIN_PATHWAY } from './steering';

/** A pathway name as HLS allows it in PATHWAY-ID (and a mirror's, never the origin's). */
const PathwayId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a mirror name is 1–32 lowercase letters, digits and dashes');

/**
 * A mirror's base: absolute http(s), no credentials, query or fragment (it is put in front of paths in
 * playlists every attendee loads), no trailing slash once parsed.
 */
export const MirrorBaseUrl = z
  .string()
  .trim()
  .max(300)
  .refine((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return false;
    }
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.search && !url.hash;
  }, 'a mirror address is an http(s) URL without a user, query or fragment')
  .transform((text) => text.replace(/\/+$/, ''));

export const Mirror = z.strictObject({ id: PathwayId, baseUrl: MirrorBaseUrl });
export type Mirror = z.infer<typeof Mirror>;

/** At most this many mirrors per event: each one adds its variants to every master playlist. */
export const MAX_MIRRORS = 8;

/**
 * An event's mirrors and the order players should prefer the pathways in (the origin's name included).
 * Pathways left out of `priority` are not used; moving a blocked host to the end (or out) moves every
 * player off it at its next steering reload.
 */
export const MirrorSettings = z
  .strictObject({
    mirrors: z.array(Mirror).max(MAX_MIRRORS),
    priority: z.array(z.string()).min(1).max(MAX_MIRRORS + 1),
  })
  .superRefine((settings, ctx) => {
    const ids = settings.mirrors.map((m) => m.id);
    if (ids.includes(ORIGIN_PATHWAY)) ctx.addIssue({ code: 'custom', message: `"${ORIGIN_PATHWAY}" names the origin, not a mirror` });
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'mirror names must differ' });
    const known = new Set([ORIGIN_PATHWAY, ...ids]);
    if (settings.priority.some((id) => !known.has(id))) ctx.addIssue({ code: 'custom', message: 'priority names a pathway that is not listed' });
    if (new Set(settings.priority).size !== settings.priority.length) ctx.addIssue({ code: 'custom', message: 'priority names a pathway twice' });
  });
export type MirrorSettings = z.infer<typeof MirrorSettings>;

/** An event without mirrors: only the origin. */
export const NO_MIRRORS: MirrorSettings = { mirrors: [], priority: [ORIGIN_PATHWAY] };

/**
 * A steering manifest as another Jalsa server serves it (`steeringManifest`): what an edge reads of its
 * origin's, checked before anything of it reaches the edge's attendees.
 */
export const SteeringManifestResponse = z.object({
  VERSION: z.literal(1),
  TTL: z.number().positive(),
  'RELOAD-URI': z.string().optional(),
  'PATHWAY-PRIORITY': z.array(z.string()).min(1),
  'JALSA-PATHWAYS': z.record(z.string(), z.string()),
});
export type SteeringManifestResponse = z.infer<typeof SteeringManifestResponse>;

/** The mirrors and priority a steering manifest was made from (`steeringManifest`); undefined when they are not valid settings. */
export function mirrorSettingsOf(manifest: SteeringManifestResponse): MirrorSettings | undefined {
  const mirrors = Object.entries(manifest['JALSA-PATHWAYS'])
    .filter(([id]) => id !== ORIGIN_PATHWAY)
    .map(([id, baseUrl]) => ({ id, baseUrl }));
  const settings = MirrorSettings.safeParse({ mirrors, priority: manifest['PATHWAY-PRIORITY'] });
  return settings.success ? settings.data : undefined;
}

export const MirrorSettingsResponse = z.object({ settings: MirrorSettings });
export type MirrorSettingsResponse = z.infer<typeof MirrorSettingsResponse>;

