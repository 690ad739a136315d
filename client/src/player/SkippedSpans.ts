import { bufferedCovers, type EventTimeline } from './Pipe';

/** Less than this between the buffer's end and the next segment is a rounding of frame lengths, not a hole. */
const HOLE_MIN_SECONDS = 0.1;
/** A playhead this close to a hole's start has played out what came before it. */
const HOLE_REACH_SECONDS = 0.3;

/** A span of the event the pipe skipped for good, in event time: nothing will ever be buffered there. */
export interface Hole {
  from: number;
  to: number;
}

/**
 * The hole a segment placed at `start` leaves after what is buffered, or null. Only when the playhead
 * is in the last buffered range (it will play up to the hole): a segment placed after a seek begins at
 * or before the playhead, and one placed after a seek away from the buffer is where the playhead went.
 */
export function skippedSpan(timeline: EventTimeline, start: number): Hole | null {
  const { buffered, currentTime } = timeline;
  if (buffered.length === 0) return null;
  const last = buffered.length - 1;
  const end = buffered.end(last);
  const playheadInLast = currentTime >= buffered.start(last) - HOLE_REACH_SECONDS && currentTime <= end + HOLE_REACH_SECONDS;
  return playheadInLast && start - end > HOLE_MIN_SECONDS ? { from: end, to: start } : null;
}

/** Where a playhead stalled at `currentTime` goes on: the far side of the hole it reached, once buffered there. */
export function holeJump(currentTime: number, holes: readonly Hole[], covers: (time: number) => boolean): number | null {
  const hole = holes.find((h) => currentTime >= h.from - HOLE_REACH_SECONDS && currentTime < h.to);
  return hole && covers(hole.to) ? hole.to : null;
}

/**
 * The spans an audio element's feeder skipped: segments a live window no longer lists (the listener fell
 * behind it on a slow link) or one that never came. The element would wait at a hole's edge forever
 * (browsers step over a few milliseconds at most), so its playhead is moved over it: when it stalls
 * there, and when the far side arrives after it stalled.
 */
export class SkippedSpans {
  readonly #element: HTMLMediaElement;
  #holes: Hole[] = [];

  constructor(element: HTMLMediaElement) {
    this.#element = element;
    element.addEventListener('waiting', this.cross);
  }

  /** Before a segment is placed at `start` (event time) on the element's timeline. */
  placing(start: number): void {
    const hole = skippedSpan(this.#element, start);
    if (hole) this.#holes.push(hole);
  }

  /** Moves a stalled playhead over the hole it reached; holes it has passed are forgotten. */
  readonly cross = (): void => {
    const element = this.#element;
    this.#holes = this.#holes.filter((hole) => hole.to > element.currentTime);
    if (element.paused || element.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) return;
    const target = holeJump(element.currentTime, this.#holes, (time) => bufferedCovers(element, time));
    if (target !== null) element.currentTime = target;
  };

  /** Idempotent. */
  close(): void {
    this.#element.removeEventListener('waiting', this.cross);
    this.#holes = [];
  }
}
