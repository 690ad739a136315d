import { SEGMENT_SECONDS } from '../../../shared/ladder';

export interface PlaylistSegment {
  /** Position in the playlist; EVENT and VOD playlists never drop segments, so it is stable. */
  index: number;
  /** Seconds from the start of the playlist. */
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
  /** Seconds of media listed. */
  duration: number;
}

/** The subset of HLS media playlists our packager writes: fMP4 with EXT-X-MAP, optional discontinuities. */
export function parseMediaPlaylist(text: string, baseUrl: string): MediaPlaylist {
  const segments: PlaylistSegment[] = [];
  let targetDuration = SEGMENT_SECONDS;
  let ended = false;
  let initUrl: string | null = null;
  let duration: number | null = null;
  let discontinuity = false;
  let start = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22)) || targetDuration;
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (uri) initUrl = new URL(uri, baseUrl).href;
    } else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line !== '' && !line.startsWith('#') && duration !== null && Number.isFinite(duration) && initUrl) {
      segments.push({ index: segments.length, start, duration, url: new URL(line, baseUrl).href, initUrl, discontinuity });
      start += duration;
      duration = null;
      discontinuity = false;
    }
  }
  return { targetDuration, segments, ended, duration: start };
}

/** The segment playing at `time` (the last one when past the end), or undefined for an empty playlist. */
export function segmentAt(playlist: MediaPlaylist, time: number): PlaylistSegment | undefined {
  return playlist.segments.find((s) => time < s.start + s.duration) ?? playlist.segments.at(-1);
}

/**
 * Bytes of the old text a tail request asks for again, to check the file was only appended to. A
 * live EVENT playlist only grows: a 1-hour rally lists 1,800 segments (~180 KB), too much to fetch every
 * two seconds on a 40 kbps link, so it is followed by asking for its tail.
 */
export const TAIL_OVERLAP_BYTES = 256;

/**
 * Joins the tail of a playlist, fetched from `offset`, to the text known so far; null when the tail
 * does not line up with it (the file was rewritten, not appended to) and the whole file is needed.
 */
export function appendTail(known: string, offset: number, tail: string): string | null {
  const overlap = known.slice(offset);
  if (offset < 0 || offset > known.length || !tail.startsWith(overlap)) return null;
  return known.slice(0, offset) + tail;
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
