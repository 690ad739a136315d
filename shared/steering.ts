/**
 * Content steering between an event's pathways, without a schema library: the watch page's boot script
 * (a few KB, before the app) follows pathways too. A pathway is one place the recording layout is
 * served from: the origin itself, or a mirror (another Jalsa server, a CDN in front of the origin, a
 * static host filled by `npm run mirror`). A mirror serves every file at the same path under its base
 * as the origin does under its root, so one function (`pathwayUrl`, from `recordingUrl`) gives a
 * file's address on any pathway.
 */
import { recordingUrl } from './recordingLayout';

/** The origin's own pathway: the server the watch page came from. */
export const ORIGIN_PATHWAY = 'origin';

/** Seconds between a player's steering reloads: how soon a changed priority reaches everyone. */
export const STEERING_TTL_SECONDS = 10;

/**
 * The HLS content steering manifest (version 1), plus `JALSA-PATHWAYS`: where each pathway is, for our
 * own players (audio pipe, boot audio, poster), which read no master playlist. Players that do not know
 * the key ignore it, as the steering specification asks.
 */
export interface SteeringManifest {
  VERSION: 1;
  TTL: number;
  'RELOAD-URI'?: string;
  'PATHWAY-PRIORITY': string[];
  'JALSA-PATHWAYS': Record<string, string>;
}

/** Where an event's steering manifest is served (by the origin only: it is the organizer's word). */
export function steeringPath(slug: string): string {
  return `/api/events/${slug}/steering`;
}

/**
 * A recording file's address on a pathway: the same path as on the origin, under the pathway's base
 * (`''` for the origin itself, which gives the origin-relative path).
 */
export function pathwayUrl(base: string, slug: string, file: string): string {
  return `${base}${recordingUrl(slug, file)}`;
}

/** The manifest players are steered by: the priority, and where each pathway is. */
export function steeringManifest(slug: string, mirrors: ReadonlyArray<{ id: string; baseUrl: string }>, priority: string[]): SteeringManifest {
  const bases: Record<string, string> = { [ORIGIN_PATHWAY]: '' };
  for (const mirror of mirrors) bases[mirror.id] = mirror.baseUrl;
  return { VERSION: 1, TTL: STEERING_TTL_SECONDS, 'RELOAD-URI': steeringPath(slug), 'PATHWAY-PRIORITY': priority, 'JALSA-PATHWAYS': bases };
}

/**
 * The manifest as a player reads it, or null when it is not one: checked by hand, the boot script
 * carries no schema library. Only what the players use is checked; unknown keys are left alone.
 */
export function readSteeringManifest(value: unknown): SteeringManifest | null {
  if (typeof value !== 'object' || value === null) return null;
  const manifest = value as Record<string, unknown>;
  const priority = manifest['PATHWAY-PRIORITY'];
  const bases = manifest['JALSA-PATHWAYS'];
  const ttl = manifest.TTL;
  if (manifest.VERSION !== 1 || typeof ttl !== 'number' || !(ttl > 0)) return null;
  if (!Array.isArray(priority) || priority.length === 0 || !priority.every((id) => typeof id === 'string')) return null;
  if (typeof bases !== 'object' || bases === null || !Object.values(bases).every((base) => typeof base === 'string')) return null;
  return value as SteeringManifest;
}
