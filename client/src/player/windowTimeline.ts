import { windowStart } from './MediaPlaylist';
import type { EventTimeline } from './Pipe';

/**
 * hls.js following a live window, on the event's timeline. hls.js places the first rung playlist it loads
 * from 0 on its own timeline (every later load, reload or other rung, is lined up with it by media
 * sequence number), while the audio pipe and HlsPlayback speak event time: seconds of the whole event's
 * playlist, which a window's WINDOW_START_TAG gives for its first segment. So the first rung playlist
 * hls.js receives fixes the offset between the two for the pipe's life, and it is the one place to tell
 * hls.js where to start: hls.js reads its `startPosition` before it has loaded any rung playlist (on its
 * own timeline, whose offset is not known yet), and its `timelineOffset` (made for interstitial assets)
 * must be set before the first playlist too, and is added again to live start positions. The standard
 * way a playlist says where to start, `EXT-X-START:TIME-OFFSET` (seconds from its first segment), is
 * added to that first playlist instead. A whole playlist (a replay) begins at 0: the offset is 0.
 */
export class WindowTimeline {
  readonly #startPosition: number | null;
  #offset: number | null = null;

  /** `startPosition`: where to start, in event time; null for hls.js's own choice (the live sync point, or the beginning). */
  constructor(startPosition: number | null) {
    this.#startPosition = startPosition;
  }

  /** Event time minus hls.js's time: 0 until the first rung playlist arrived (nothing is buffered before). */
  get offset(): number {
    return this.#offset ?? 0;
  }

  /**
   * A rung playlist as hls.js received it, as hls.js is to parse it: the first one that lists a segment
   * fixes the offset and says where to start (hls.js places nothing before, and one without segments, as
   * a window just after the event began, is placed by the next), the others pass unchanged.
   */
  adopt(text: string): string {
    if (this.#offset !== null || !text.includes('#EXTINF:')) return text;
    this.#offset = windowStart(text) ?? 0;
    if (this.#startPosition === null) return text;
    // hls.js keeps a start within the playlist; one the window no longer lists starts at its first segment.
    const start = `#EXT-X-START:TIME-OFFSET=${Math.max(0, this.#startPosition - this.#offset).toFixed(3)}`;
    // EXTM3U must stay the first line (RFC 8216, 4.3.1.1).
    const firstLineEnd = text.indexOf('\n');
    return firstLineEnd < 0 ? `${text}\n${start}\n` : `${text.slice(0, firstLineEnd + 1)}${start}\n${text.slice(firstLineEnd + 1)}`;
  }

  /** `element`'s playhead and buffer in event time. */
  view(element: EventTimeline): EventTimeline {
    const timeline = this;
    return {
      get currentTime() {
        return element.currentTime + timeline.offset;
      },
      set currentTime(time: number) {
        element.currentTime = time - timeline.offset;
      },
      get buffered() {
        return shiftedRanges(element.buffered, timeline.offset);
      },
    };
  }
}

/** `ranges` moved `by` seconds later. */
export function shiftedRanges(ranges: TimeRanges, by: number): TimeRanges {
  return {
    length: ranges.length,
    start: (index) => ranges.start(index) + by,
    end: (index) => ranges.end(index) + by,
  };
}
