import { SEGMENT_SECONDS } from '../../../shared/ladder';
import { WINDOW_START_TAG } from '../../../shared/recordingLayout';

export interface PlaylistSegment {
  /** Media sequence number: the position in the whole event's playlist, the same in its live window. */
  index: number;
  /** Seconds from the start of the whole event's playlist (a live window says where it begins). */
  start: number;
  duration: number;
  url: string;
  /** The init segment (EXT-X-MAP) this segment needs; it changes only at a discontinuity. */
  initUrl: string;
  /** The encoder restarted before this segment: timestamps start afresh. */
  discontinuity: boolean;
}

export interface MediaPlaylist {
  targetDuration: number;
  segments: PlaylistSegment[];
  /** EXT-X-ENDLIST: nothing will be added. */
  ended: boolean;
  /** Seconds from the start of the whole event's playlist to the end of the last segment listed. */
  duration: number;
}

/**
 * The subset of HLS media playlists our packager writes: fMP4 with EXT-X-MAP, optional discontinuities,
 * the whole event's playlist or a live window of it (EXT-X-MEDIA-SEQUENCE and our window start tag).
 */
export function parseMediaPlaylist(text: string, baseUrl: string): MediaPlaylist {
  const segments: PlaylistSegment[] = [];
  let targetDuration = SEGMENT_SECONDS;
  let sequence = 0;
  let ended = false;
  let initUrl: string | null = null;
  let duration: number | null = null;
  let discontinuity = false;
  let start = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22)) || targetDuration;
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) sequence = nonNegative(line.slice(22), sequence);
    else if (line.startsWith(WINDOW_START_TAG)) start = nonNegative(line.slice(WINDOW_START_TAG.length), start);
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (uri) initUrl = new URL(uri, baseUrl).href;
    } else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line !== '' && !line.startsWith('#') && duration !== null && Number.isFinite(duration) && initUrl) {
      segments.push({ index: sequence + segments.length, start, duration, url: new URL(line, baseUrl).href, initUrl, discontinuity });
      start += duration;
      duration = null;
      discontinuity = false;
    }
  }
  return { targetDuration, segments, ended, duration: start };
}

/** Where a live window begins on the whole playlist's timeline (its WINDOW_START_TAG); null for a playlist without one. */
export function windowStart(text: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(WINDOW_START_TAG));
  if (line === undefined) return null;
  const start = nonNegative(line.slice(WINDOW_START_TAG.length).trim(), -1);
  return start >= 0 ? start : null;
}

function nonNegative(text: string, fallback: number): number {
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The segment playing at `time` (the last one when past the end), or undefined for an empty playlist. */
export function segmentAt(playlist: MediaPlaylist, time: number): PlaylistSegment | undefined {
  return playlist.segments.find((s) => time < s.start + s.duration) ?? playlist.segments.at(-1);
}

/** Segment number `index`, when listed. */
export function segmentNumbered(playlist: MediaPlaylist, index: number): PlaylistSegment | undefined {
  const first = playlist.segments[0];
  return first ? playlist.segments[index - first.index] : undefined;
}

/** A live start this many segments behind the newest leaves room to buffer against a slow link. */
const LIVE_START_SEGMENTS = 3;

/** Where playback begins: at the asked position, else a few segments behind a live edge, else at the beginning. */
export function firstSegmentIndex(
  playlist: MediaPlaylist,
  { live, startPosition }: { live: boolean; startPosition: number | null },
): number {
  const first = playlist.segments[0]?.index ?? 0;
  if (startPosition !== null) return segmentAt(playlist, startPosition)?.index ?? first;
  return live && !playlist.ended ? Math.max(first, lastIndex(playlist) + 1 - LIVE_START_SEGMENTS) : first;
}

/** The newest segment's number; -1 while none is listed. */
export function lastIndex(playlist: MediaPlaylist): number {
  return playlist.segments.at(-1)?.index ?? -1;
}

/** Whether `time` lies before the first segment listed: a live window no longer lists it. */
export function listsFrom(playlist: MediaPlaylist, time: number): boolean {
  const first = playlist.segments[0];
  return first !== undefined && time >= first.start;
}

/**
 * What is known of a live playlist after a reload of its window: the segments known before, then the
 * window's new ones. A window that no longer reaches back to what was known (the listener fell behind
 * it) replaces it: segments stay numbered consecutively from the first one listed.
 */
export function mergeReload(known: MediaPlaylist, reloaded: MediaPlaylist): MediaPlaylist {
  const last = known.segments.at(-1);
  const first = reloaded.segments[0];
  if (!last || !first) return first ? reloaded : { ...known, ended: reloaded.ended };
  if (first.index > last.index + 1) return reloaded;
  const segments = [...known.segments, ...reloaded.segments.filter((s) => s.index > last.index)];
  const end = segments.at(-1)!;
  return { ...reloaded, segments, duration: end.start + end.duration };
}

export interface Ladder {
  /** BANDWIDTH of the cheapest variant with video (its sound included); null when there is no video. */
  videoNeedBps: number | null;
  /** BANDWIDTH of the audio-only variant. */
  audioNeedBps: number;
}

/** What the master playlist says the rungs need; variants without RESOLUTION carry no video. */
export function parseLadder(text: string): Ladder {
  const video: number[] = [];
  const audio: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const bandwidth = Number(/[:,]BANDWIDTH=(\d+)/.exec(line)?.[1]);
    if (!Number.isFinite(bandwidth) || bandwidth <= 0) continue;
    (line.includes('RESOLUTION=') ? video : audio).push(bandwidth);
  }
  return {
    videoNeedBps: video.length > 0 ? Math.min(...video) : null,
    audioNeedBps: audio.length > 0 ? Math.min(...audio) : Math.min(...video),
  };
}
