import fs from 'node:fs/promises';
import path from 'node:path';
import { audioRung, packagedRungNames, peakBandwidth, SEGMENT_SECONDS, videoRungs } from '../../shared/ladder';
import { LIVE_WINDOW_SEGMENTS, ORGANIZER_AWAY_CLASS, recordingFiles, runFiles, WINDOW_START_TAG } from '../../shared/recordingLayout';
import type { RunDescription } from './PackagerRun';

export interface ParsedSegment {
  duration: number;
  uri: string;
  programDateTime: string | undefined;
  /** The EXT-X-MAP in force for this segment. */
  init: string | undefined;
  /** Offset in the parsed text just past this segment's URI line: where reading can resume. */
  end: number;
}

/**
 * One run's segments of one rung, as a composed playlist lists them: its lines are rendered once, as
 * segments are added, so composing costs the new segments only.
 */
export interface RunBlock {
  /** The run's rung folder: the prefix of its URIs in a composed playlist. */
  base: string;
  init: string | undefined;
  segments: ParsedSegment[];
  /** The EXTINF/URI lines of `segments`, URIs prefixed with `base`. */
  lines: string;
  /** Seconds of `segments`, summed as a player sums the written (rounded) EXTINF values. */
  seconds: number;
}

/** What is known of one run's output for one rung. */
interface RunEntry extends RunBlock {
  /** URIs of `segments`, so re-reading ffmpeg's playlist from the start adds nothing twice. */
  known: Set<string>;
  /** Bytes of ffmpeg's playlist already read: ffmpeg only appends to it, so the next read starts here. */
  consumed: number;
  /** Read once more after a newer run began (its ffmpeg had stopped): nothing will be added. */
  settled: boolean;
}

/** A time the organizer's connection was lost while live (ms since the epoch), as `gaps.jsonl` lists it. */
export interface OrganizerGap {
  from: number;
  to: number;
}

/** A rung's playlist as composed so far. */
interface RungState {
  rung: string;
  runs: Map<number, RunEntry>;
  /** The longest segment seen, for EXT-X-TARGETDURATION. */
  longest: number;
}

/**
 * Joins the per-run playlists ffmpeg writes into one playlist per rung. A run ends when ffmpeg is
 * restarted (a crash, the organizer reconnecting): the next run follows a discontinuity with its own
 * init segment, so nothing already written is ever rewritten or renumbered.
 *
 * Two playlists per rung: the whole event (`<rung>.m3u8`, EVENT then VOD), for replay and rewinding,
 * and a sliding live window of its newest segments (`<rung>.live.m3u8`), which is what a live player
 * loads, so a late joiner's first load and every reload stay the same size however long the rally runs.
 * Media sequence numbers are positions in the whole playlist, which never drops a segment, so they
 * stay right across packager and server restarts.
 *
 * What was composed once stays composed: an ffmpeg killed mid-write can leave its own playlist empty
 * or short, so the segments already published (remembered, or read back from our own output after a
 * restart) are merged with what ffmpeg lists now, never replaced by it.
 *
 * Each compose costs what changed since the last one, not the event's length: only the newest run's
 * playlist is read, from where the last read stopped; only segments not seen before are checked on disk;
 * rendered lines are kept; files are written only when a segment was added or the event ended.
 */
export class PlaylistComposer {
  readonly #dir: string;
  /** rung → what was published; read back from our own playlist the first time. */
  readonly #rungs = new Map<string, RungState>();
  readonly #descriptions = new Map<number, RunDescription>();
  /** file → a summary of what it was last written with. */
  readonly #written = new Map<string, string>();
  /** The organizer's absences; read again only after {@link gapsChanged}. */
  #gaps: OrganizerGap[] | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Writes the masters and every rung's playlists; `ended` makes them VOD. Unchanged files are not
   * touched. Returns how many audio segments the recording holds, a measure of progress.
   */
  async compose({ ended }: { ended: boolean }): Promise<number> {
    const runs = await this.runs();
    if (runs.length === 0) return 0;
    const hasVideo = (await Promise.all(runs.map((run) => this.#describeRun(run)))).some((d) => d?.hasVideo);
    const rungs = packagedRungNames(hasVideo);
    const gaps = await this.#readGaps();
    let audioSegments = 0;
    for (const rung of rungs) {
      const state = await this.#stateFor(rung);
      for (const [i, run] of runs.entries()) await this.#readRun(state, run, rung, i === runs.length - 1);
      const blocks = runBlocks(state, runs);
      const total = blocks.reduce((n, b) => n + b.segments.length, 0);
      // Only a new segment, the end or a new rung changes a playlist: skip rendering otherwise.
      const summary = `${total}:${ended}:${gaps.length}`;
      if (this.#written.get(rung) !== summary) {
        await this.#write(recordingFiles.rungPlaylist(rung), renderMediaPlaylist(blocks, state.longest, ended, gaps));
        await this.#write(recordingFiles.liveRungPlaylist(rung), renderWindowPlaylist(blocks, state.longest, ended));
        this.#written.set(rung, summary);
      }
      if (rung === audioRung.name) audioSegments = total;
    }
    // Players read a master once: write it only when it can be played, with its final rungs.
    if (audioSegments > 0 && this.#written.get(recordingFiles.master) !== String(hasVideo)) {
      await this.#write(recordingFiles.master, renderMasterPlaylist(hasVideo, recordingFiles.rungPlaylist));
      await this.#write(recordingFiles.liveMaster, renderMasterPlaylist(hasVideo, recordingFiles.liveRungPlaylist));
      this.#written.set(recordingFiles.master, String(hasVideo));
    }
    return audioSegments;
  }

  /** A gap was added to `gaps.jsonl`: the next compose reads it and marks it. */
  gapsChanged(): void {
    this.#gaps = undefined;
  }

  async #readGaps(): Promise<OrganizerGap[]> {
    if (!this.#gaps) {
      const text = await fs.readFile(path.join(this.#dir, recordingFiles.gaps), 'utf8').catch(() => '');
      this.#gaps = parseGaps(text);
    }
    return this.#gaps;
  }

  /** Run numbers present on disk, in order. */
  async runs(): Promise<number[]> {
    const entries = await fs.readdir(path.join(this.#dir, recordingFiles.runs)).catch(() => [] as string[]);
    return entries.filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  }

  async #stateFor(rung: string): Promise<RungState> {
    let state = this.#rungs.get(rung);
    if (!state) {
      const text = await fs.readFile(path.join(this.#dir, recordingFiles.rungPlaylist(rung)), 'utf8').catch(() => '');
      state = { rung, runs: new Map(), longest: SEGMENT_SECONDS };
      for (const [run, { init, segments }] of parseComposedPlaylist(text, rung)) {
        addSegments(state, entryFor(state, run), init, segments);
      }
      this.#rungs.set(rung, state);
    }
    return state;
  }

  /** A run's description never changes once written; until it is, it is looked for again. */
  async #describeRun(run: number): Promise<RunDescription | undefined> {
    const known = this.#descriptions.get(run);
    if (known) return known;
    const file = path.join(this.#dir, recordingFiles.run(run), runFiles.description);
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    const description = parseDescription(text);
    if (description) this.#descriptions.set(run, description);
    return description;
  }

  /** Adds what ffmpeg appended to a run's playlist since the last read; a settled run is not read at all. */
  async #readRun(state: RungState, run: number, rung: string, newest: boolean): Promise<void> {
    const entry = entryFor(state, run);
    if (entry.settled) return;
    const file = path.join(this.#dir, recordingFiles.run(run), runFiles.rungPlaylist(rung));
    let text = await readFrom(file, entry.consumed);
    // Shorter than what was read before: rewritten by an ffmpeg killed mid-write. Read it all again.
    if (text === null) {
      entry.consumed = 0;
      text = (await readFrom(file, 0)) ?? '';
    }
    const { init, segments } = parseMediaPlaylist(text);
    const fresh = segments.filter((s) => !entry.known.has(s.uri));
    // ffmpeg lists a segment once it is in place, but one listed by a killed ffmpeg may never have been
    // renamed into place: only the new ones are checked, and the newest run's missing one is waited for.
    const present = await Promise.all(fresh.map((s) => exists(path.join(path.dirname(file), s.uri))));
    const missing = newest ? present.indexOf(false) : -1;
    const accepted = missing >= 0 ? fresh.slice(0, missing) : fresh.filter((_, i) => present[i]);
    addSegments(state, entry, init, accepted);
    entry.consumed += missing >= 0 ? endBefore(segments, fresh[missing]!) : (segments.at(-1)?.end ?? 0);
    entry.settled = !newest;
  }

  async #write(name: string, content: string): Promise<void> {
    const target = path.join(this.#dir, name);
    const temporary = `${target}.tmp`;
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, target);
  }
}

function entryFor(state: RungState, run: number): RunEntry {
  let entry = state.runs.get(run);
  if (!entry) {
    const base = recordingFiles.runRung(run, state.rung);
    entry = { base, init: undefined, segments: [], lines: '', seconds: 0, known: new Set(), consumed: 0, settled: false };
    state.runs.set(run, entry);
  }
  return entry;
}

function addSegments(state: RungState, entry: RunEntry, init: string | undefined, segments: ParsedSegment[]): void {
  appendToBlock(entry, init, segments);
  for (const segment of segments) {
    entry.known.add(segment.uri);
    state.longest = Math.max(state.longest, segment.duration);
  }
}

/** Adds segments to a block, rendering their lines once. */
export function appendToBlock(block: RunBlock, init: string | undefined, segments: readonly ParsedSegment[]): void {
  block.init ??= init;
  for (const segment of segments) {
    block.segments.push(segment);
    block.lines += segmentLines(segment, block.base, true);
    block.seconds += Number(segment.duration.toFixed(3));
  }
}

/** Where reading resumes when a new segment is not in place yet: just before it. */
function endBefore(segments: ParsedSegment[], segment: ParsedSegment): number {
  return segments[segments.indexOf(segment) - 1]?.end ?? 0;
}

/**
 * A file's text from byte `offset` on; null when the file is now shorter than that. A missing file
 * reads as empty (ffmpeg has not written it yet).
 */
async function readFrom(file: string, offset: number): Promise<string | null> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return offset === 0 ? '' : null;
  try {
    const { size } = await handle.stat();
    if (size < offset) return null;
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    // latin1: one character per byte, so text offsets are file offsets (the playlist is ASCII).
    return buffer.toString('latin1', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
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
  let offset = 0;
  for (const raw of text.split('\n')) {
    offset += raw.length + 1;
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MAP:')) init = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    // A last line without its newline may be half written: it is read again next time.
    else if (line && !line.startsWith('#') && duration !== undefined && offset <= text.length) {
      segments.push({ duration, uri: line, programDateTime, init, end: offset });
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

/** The runs that have something to play, in order. */
function runBlocks(state: RungState, runs: number[]): RunBlock[] {
  return runs.flatMap((run) => {
    const entry = state.runs.get(run);
    return entry?.init && entry.segments.length > 0 ? [entry] : [];
  });
}

function segmentLines(segment: ParsedSegment, base: string, withDate: boolean): string {
  const date = withDate && segment.programDateTime ? `#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime}\n` : '';
  return `${date}#EXTINF:${segment.duration.toFixed(3)},\n${base}/${segment.uri}\n`;
}

function header(longest: number, extra: string[]): string[] {
  return ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`, ...extra, '#EXT-X-INDEPENDENT-SEGMENTS'];
}

/**
 * The whole event: every run, a discontinuity between runs; EVENT while live, VOD once ended. Each time
 * the organizer was away is an EXT-X-DATERANGE placed where the playlist resumes after it (before the
 * first run begun after the organizer left; at the end while none has), so a replay, or anyone reading
 * the recording, knows the discontinuity there is a gap in the event and how long it lasted. Players
 * that do not know the class ignore the tag, as HLS requires.
 */
export function renderMediaPlaylist(blocks: readonly RunBlock[], longest: number, ended: boolean, gaps: readonly OrganizerGap[] = []): string {
  const lines = header(longest, ['#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`]);
  let text = `${lines.join('\n')}\n`;
  let pending = [...gaps].sort((a, b) => a.from - b.from);
  blocks.forEach((block, i) => {
    const startsAt = Date.parse(block.segments[0]?.programDateTime ?? '');
    const before = pending.filter((gap) => startsAt >= gap.from);
    pending = pending.filter((gap) => !before.includes(gap));
    text += before.map(dateRange).join('');
    if (i > 0) text += '#EXT-X-DISCONTINUITY\n';
    text += `#EXT-X-MAP:URI="${block.base}/${block.init}"\n`;
    text += block.lines;
  });
  text += pending.map(dateRange).join('');
  return ended ? `${text}#EXT-X-ENDLIST\n` : text;
}

function dateRange({ from, to }: OrganizerGap): string {
  const seconds = Math.max(0, (to - from) / 1000).toFixed(3);
  return (
    `#EXT-X-DATERANGE:ID="organizer-away-${from}",CLASS="${ORGANIZER_AWAY_CLASS}",` +
    `START-DATE="${new Date(from).toISOString()}",END-DATE="${new Date(to).toISOString()}",DURATION=${seconds}\n`
  );
}

/** `gaps.jsonl`'s lines; one that cannot be read (a line cut short by a crash) is skipped. */
export function parseGaps(text: string): OrganizerGap[] {
  return text.split('\n').flatMap((line) => {
    try {
      const { from, to } = JSON.parse(line) as { from: unknown; to: unknown };
      const gap = { from: Date.parse(String(from)), to: Date.parse(String(to)) };
      return Number.isFinite(gap.from) && Number.isFinite(gap.to) ? [gap] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The newest `size` segments of the whole playlist. EXT-X-MEDIA-SEQUENCE is the first one's position in
 * the whole playlist and EXT-X-DISCONTINUITY-SEQUENCE the number of runs before its own (left out when
 * 0), so a player reloading the window (or switching rungs) lines segments up across packager restarts. A date is given
 * only where a run starts (and for the first segment): that is all a player needs, and bytes count here.
 */
export function renderWindowPlaylist(blocks: readonly RunBlock[], longest: number, ended: boolean, size = LIVE_WINDOW_SEGMENTS): string {
  // Walk back from the newest segment until the window is full; what lies before is summed per block.
  let remaining = size;
  let firstBlock = blocks.length;
  let firstInBlock = 0;
  while (remaining > 0 && firstBlock > 0) {
    const count = blocks[firstBlock - 1]!.segments.length;
    firstBlock--;
    firstInBlock = Math.max(0, count - remaining);
    remaining -= count - firstInBlock;
  }
  let before = 0;
  let startSeconds = 0;
  for (let b = 0; b < firstBlock; b++) {
    before += blocks[b]!.segments.length;
    startSeconds += blocks[b]!.seconds;
  }
  const windowFirst = blocks[firstBlock];
  if (windowFirst) {
    before += firstInBlock;
    startSeconds += windowFirst.seconds;
    for (const segment of windowFirst.segments.slice(firstInBlock)) startSeconds -= Number(segment.duration.toFixed(3));
  }
  const lines = header(longest, [
    `#EXT-X-MEDIA-SEQUENCE:${before}`,
    // Absent means 0 (RFC 8216, 4.3.3.3): an event without a packager restart, most of them, saves its bytes on every reload.
    ...(firstBlock > 0 ? [`#EXT-X-DISCONTINUITY-SEQUENCE:${firstBlock}`] : []),
    `${WINDOW_START_TAG}${startSeconds.toFixed(3)}`,
  ]);
  let text = `${lines.join('\n')}\n`;
  for (let b = firstBlock; b < blocks.length; b++) {
    const block = blocks[b]!;
    if (b > firstBlock) text += '#EXT-X-DISCONTINUITY\n';
    text += `#EXT-X-MAP:URI="${block.base}/${block.init}"\n`;
    const from = b === firstBlock ? firstInBlock : 0;
    text += block.segments.slice(from).map((s, i) => segmentLines(s, block.base, i === 0)).join('');
  }
  return ended ? `${text}#EXT-X-ENDLIST\n` : text;
}

/** The master of the whole playlists or of the live windows: `playlist` names a rung's file. */
function renderMasterPlaylist(hasVideo: boolean, playlist: (rung: string) => string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (hasVideo) {
    for (const rung of videoRungs) {
      lines.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(rung.videoKbps + rung.audioKbps)},` +
          `AVERAGE-BANDWIDTH=${(rung.videoKbps + rung.audioKbps) * 1000},CODECS="${rung.codecs}",` +
          `RESOLUTION=${rung.width}x${rung.height},FRAME-RATE=${rung.fps.toFixed(3)}`,
        playlist(rung.name),
      );
    }
  }
  lines.push(
    `#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(audioRung.audioKbps)},` +
      `AVERAGE-BANDWIDTH=${audioRung.audioKbps * 1000},CODECS="${audioRung.codecs}"`,
    playlist(audioRung.name),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * A run that could not start on a full disk may have left its description empty or cut short: it
 * describes nothing, and must stop neither the live playlists nor the next start-up's recovery.
 */
function parseDescription(text: string | undefined): RunDescription | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as RunDescription);
  } catch {
    return undefined;
  }
}
