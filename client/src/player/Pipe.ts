import type { Emitter } from './Emitter';
import type { PlaybackMode } from './ModeController';

export interface PipeEvents {
  /** More media was buffered. */
  buffered: [];
  /** A live source stopped (or resumed) adding segments: the organizer's connection dropped. */
  idle: [idle: boolean];
  /** Requests are failing and being retried (or succeed again). */
  trouble: [trouble: boolean];
  /** The pipe cannot go on; its owner opens a new one. */
  failed: [reason: string];
  /** The current rendition, e.g. "360p" (video pipes only). */
  rendition: [name: string | null];
}

/** A playhead and what is buffered around it (`currentTime` is set to seek). */
export type EventTimeline = Pick<HTMLMediaElement, 'currentTime' | 'buffered'>;

/**
 * One way of feeding a media element from the HLS files: the video ladder, or the audio-only rung. Its
 * times are event time, seconds of the whole event's playlist, whatever its element's own timeline.
 */
export interface Pipe extends Pick<Emitter<PipeEvents>, 'on'> {
  readonly mode: PlaybackMode;
  readonly element: HTMLMediaElement;
  /** The element's playhead and buffer in event time: what a switch between pipes reads and moves. */
  readonly timeline: EventTimeline;
  /** Where it began buffering, in event time; null until known. */
  readonly startTime: number | null;
  /** Whether playback at `time` (event time) could start now without waiting for the network. */
  covers(time: number): boolean;
  /** Stops fetching so another pipe gets the whole link; what is buffered still plays. */
  stopLoading(): void;
  resumeLoading(): void;
  close(): void;
}

/** A little more than one audio frame: enough buffered at `time` for playback to start there. */
const COVER_MARGIN_SECONDS = 0.3;

export function bufferedCovers(element: Pick<HTMLMediaElement, 'buffered'>, time: number): boolean {
  const { buffered } = element;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= time + 0.05 && buffered.end(i) >= time + COVER_MARGIN_SECONDS) return true;
  }
  return false;
}

export function bufferedAhead(element: Pick<HTMLMediaElement, 'buffered' | 'currentTime'>): number {
  const { buffered, currentTime } = element;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= currentTime + 0.05 && buffered.end(i) > currentTime) return buffered.end(i) - currentTime;
  }
  return 0;
}

/** Where the first buffered range at or after `time` begins, or null when nothing is buffered there. */
export function bufferedStartAfter(element: Pick<HTMLMediaElement, 'buffered'>, time: number): number | null {
  const { buffered } = element;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.end(i) > time) return Math.max(time, buffered.start(i));
  }
  return null;
}

/** One append or removal on a SourceBuffer, settled when the browser has done it (or could not decode). */
export function sourceBufferOperation(buffer: SourceBuffer, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      buffer.removeEventListener('updateend', done);
      buffer.removeEventListener('error', failed);
      resolve();
    };
    const failed = () => {
      buffer.removeEventListener('updateend', done);
      buffer.removeEventListener('error', failed);
      reject(new Error('The browser could not decode the audio.'));
    };
    buffer.addEventListener('updateend', done);
    buffer.addEventListener('error', failed);
    try {
      start();
    } catch (error) {
      buffer.removeEventListener('updateend', done);
      buffer.removeEventListener('error', failed);
      reject(error);
    }
  });
}
