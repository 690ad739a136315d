import type { MirrorSettings } from '../../shared/mirrors';
import { ORIGIN_PATHWAY, pathwayUrl, steeringPath } from '../../shared/steering';

const STREAM_INF = '#EXT-X-STREAM-INF:';

/**
 * A master playlist as the composer wrote it, turned into one with content steering: the
 * `#EXT-X-CONTENT-STEERING` tag (the origin's steering manifest, the first pathway of the priority to
 * start on) and every variant listed once per pathway with its PATHWAY-ID — the origin's with the
 * relative URIs the composer wrote, each mirror's at the same path under its base. Without mirrors the
 * playlist is returned as it was: nothing to steer between.
 */
export function steeredMaster(text: string, slug: string, settings: MirrorSettings): string {
  if (settings.mirrors.length === 0) return text;
  const lines = text.split('\n').filter((line) => line !== '');
  const head: string[] = [];
  const variants: Array<{ inf: string; uri: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(STREAM_INF) && i + 1 < lines.length) variants.push({ inf: line, uri: lines[++i]! });
    else head.push(line);
  }
  const pathways = [{ id: ORIGIN_PATHWAY, base: null as string | null }, ...settings.mirrors.map((m) => ({ id: m.id, base: m.baseUrl }))];
  const out = [...head, `#EXT-X-CONTENT-STEERING:SERVER-URI="${steeringPath(slug)}",PATHWAY-ID="${settings.priority[0]}"`];
  for (const { id, base } of pathways) {
    for (const { inf, uri } of variants) out.push(`${inf},PATHWAY-ID="${id}"`, base === null ? uri : pathwayUrl(base, slug, uri));
  }
  return `${out.join('\n')}\n`;
}
