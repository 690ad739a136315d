import fs from 'node:fs/promises';
import path from 'node:path';
import { audioRung, packagedRungNames, peakBandwidth, SEGMENT_SECONDS, videoRungs } from '../../shared/ladder';
import { recordingFiles, runFiles } from '../../shared/recordingLayout';
import type { RunDescription } from './PackagerRun';

export interface ParsedSegment {
  duration: number;
  uri: string;
  programDateTime: string | undefined;
  /** The EXT-X-MAP in force for this segment. */
  init: string | undefined;
}

/**
 * Joins the per-run playlists ffmpeg writes into one playlist per rung. A run ends when ffmpeg is
 * restarted (a crash, the organizer reconnecting): the next run follows a discontinuity with its own
 * init segment, so nothing already written is ever rewritten or renumbered.
 *
 * What was composed once stays composed: an ffmpeg killed mid-write can leave its own playlist empty
 * or short, so the segments already published (remembered, or read back from our own output after a
 * restart) are merged with what ffmpeg lists now, never replaced by it.
 */
export class PlaylistComposer {
  readonly #dir: string;
  readonly #written = new Map<string, string>();
  /** rung → run → segments published so far. */
  readonly #published = new Map<string, Map<number, ParsedPlaylist>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Writes the master and every rung playlist; `ended` makes them VOD. Unchanged files are not
   * touched. Returns how many audio segments the recording holds, a measure of progress.
   */
  async compose({ ended }: { ended: boolean }): Promise<number> {
    const runs = await this.runs();
    if (runs.length === 0) return 0;
    const descriptions = await Promise.all(runs.map((run) => this.#describeRun(run)));
    const hasVideo = descriptions.some((d) => d?.hasVideo);
    const rungs = packagedRungNames(hasVideo);
    let audioSegments = 0;
    for (const rung of rungs) {
      const published = await this.#publishedFor(rung);
      const fresh = await Promise.all(runs.map((run) => this.#readRun(run, rung)));
      const perRun = runs.map((run, i) => merge(published.get(run), fresh[i]!));
      runs.forEach((run, i) => published.set(run, perRun[i]!));
      await this.#write(recordingFiles.rungPlaylist(rung), renderMediaPlaylist(runs, rung, perRun, ended));
      if (rung === audioRung.name) audioSegments = perRun.reduce((n, r) => n + r.segments.length, 0);
    }
    // Players read the master once: write it only when it can be played, with its final rungs.
    if (audioSegments > 0) await this.#write(recordingFiles.master, renderMasterPlaylist(hasVideo));
    return audioSegments;
  }

  /** Run numbers present on disk, in order. */
  async runs(): Promise<number[]> {
    const entries = await fs.readdir(path.join(this.#dir, recordingFiles.runs)).catch(() => [] as string[]);
    return entries.filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  }

  async #publishedFor(rung: string): Promise<Map<number, ParsedPlaylist>> {
    let published = this.#published.get(rung);
    if (!published) {
      const text = await fs.readFile(path.join(this.#dir, recordingFiles.rungPlaylist(rung)), 'utf8').catch(() => '');
      published = parseComposedPlaylist(text, rung);
      this.#published.set(rung, published);
    }
    return published;
  }

  async #describeRun(run: number): Promise<RunDescription | undefined> {
    const file = path.join(this.#dir, recordingFiles.run(run), runFiles.description);
    return fs.readFile(file, 'utf8').then((text) => JSON.parse(text) as RunDescription, () => undefined);
  }

  async #readRun(run: number, rung: string): Promise<ParsedPlaylist> {
    const file = path.join(this.#dir, recordingFiles.run(run), runFiles.rungPlaylist(rung));
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const { init, segments } = parseMediaPlaylist(text);
    // A segment listed by a killed ffmpeg may not have been renamed into place: list only what exists.
    const present = await Promise.all(
      segments.map((s) => fs.access(path.join(path.dirname(file), s.uri)).then(() => true, () => false)),
    );
    return { init, segments: segments.filter((_, i) => present[i]) };
  }

  async #write(name: string, content: string): Promise<void> {
    if (this.#written.get(name) === content) return;
    const target = path.join(this.#dir, name);
    const temporary = `${target}.tmp`;
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, target);
    this.#written.set(name, content);
  }
}

export interface ParsedPlaylist {
  /** The EXT-X-MAP init segment (ffmpeg names it per variant). */
  init: string | undefined;
  segments: ParsedSegment[];
}

export function parseMediaPlaylist(text: string): ParsedPlaylist {
  const segments: ParsedSegment[] = [];
  let init: string | undefined;
  let duration: number | undefined;
  let programDateTime: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MAP:')) init = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    else if (line && !line.startsWith('#') && duration !== undefined) {
      segments.push({ duration, uri: line, programDateTime, init });
      duration = undefined;
      programDateTime = undefined;
    }
  }
  return { init, segments };
}

/** Reads one of our own rung playlists back into its runs, with URIs relative to each run's folder. */
function parseComposedPlaylist(text: string, rung: string): Map<number, ParsedPlaylist> {
  const runs = new Map<number, ParsedPlaylist>();
  const inRun = new RegExp(`^${recordingFiles.runs}/(\\d+)/${rung}/(.+)$`);
  for (const segment of parseMediaPlaylist(text).segments) {
    const uri = inRun.exec(segment.uri);
    const init = segment.init === undefined ? null : inRun.exec(segment.init);
    if (!uri || !init || uri[1] !== init[1]) continue;
    const run = Number(uri[1]);
    const entry = runs.get(run) ?? { init: init[2], segments: [] };
    entry.segments.push({ ...segment, uri: uri[2]!, init: init[2] });
    runs.set(run, entry);
  }
  return runs;
}

/** Everything already published, then whatever ffmpeg lists that is new. */
function merge(published: ParsedPlaylist | undefined, fresh: ParsedPlaylist): ParsedPlaylist {
  if (!published) return fresh;
  const known = new Set(published.segments.map((s) => s.uri));
  return {
    init: published.init ?? fresh.init,
    segments: [...published.segments, ...fresh.segments.filter((s) => !known.has(s.uri))],
  };
}

function renderMediaPlaylist(runs: number[], rung: string, perRun: ParsedPlaylist[], ended: boolean): string {
  const longest = Math.max(SEGMENT_SECONDS, ...perRun.flatMap((r) => r.segments.map((s) => s.duration)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let first = true;
  runs.forEach((run, i) => {
    const { init, segments } = perRun[i]!;
    if (segments.length === 0 || !init) return;
    const base = recordingFiles.runRung(run, rung);
    if (!first) lines.push('#EXT-X-DISCONTINUITY');
    first = false;
    lines.push(`#EXT-X-MAP:URI="${base}/${init}"`);
    for (const segment of segments) {
      if (segment.programDateTime) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime}`);
      lines.push(`#EXTINF:${segment.duration.toFixed(3)},`, `${base}/${segment.uri}`);
    }
  });
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

function renderMasterPlaylist(hasVideo: boolean): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (hasVideo) {
    for (const rung of videoRungs) {
      lines.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(rung.videoKbps + rung.audioKbps)},` +
          `AVERAGE-BANDWIDTH=${(rung.videoKbps + rung.audioKbps) * 1000},CODECS="${rung.codecs}",` +
          `RESOLUTION=${rung.width}x${rung.height},FRAME-RATE=${rung.fps.toFixed(3)}`,
        recordingFiles.rungPlaylist(rung.name),
      );
    }
  }
  lines.push(
    `#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(audioRung.audioKbps)},` +
      `AVERAGE-BANDWIDTH=${audioRung.audioKbps * 1000},CODECS="${audioRung.codecs}"`,
    recordingFiles.rungPlaylist(audioRung.name),
  );
  return `${lines.join('\n')}\n`;
}
