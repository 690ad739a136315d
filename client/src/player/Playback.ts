import type { StateStore } from '../lib/StateStore';
import type { LinkQuality } from './LinkAssessment';
import type { ModeDecision, PlaybackMode } from './ModeController';

/** The attendee's choice; `auto` lets the player adapt. */
export const QUALITIES = ['auto', 'low', 'medium', 'high'] as const;
export type Quality = (typeof QUALITIES)[number];

/** Why there is no video; null while video plays. */
export type AudioOnlyReason = 'data saver' | 'slow connection' | 'no video';

/** What a playback (WebRTC or HLS) shows the attendee, path-independent. */
export interface PlaybackState {
  /** Media has started to flow (and, for WebRTC, the transport is connected). */
  started: boolean;
  mode: PlaybackMode;
  audioOnlyReason: AudioOnlyReason | null;
  /** The video being received, e.g. "360p"; null when unknown or none. */
  rendition: string | null;
  linkQuality: LinkQuality;
  /** Playback is waiting for media that the network has not delivered. */
  stalled: boolean;
  /** A live source stopped sending: the organizer's connection dropped. */
  sourceIdle: boolean;
  /** Requests are failing and being retried, or the WebRTC connection is interrupted. */
  trouble: boolean;
  /** The browser wants a tap before it plays sound. */
  soundBlocked: boolean;
  /** The still picture of the stage, shown while there is no video. */
  posterUrl: string | null;
  /** Seconds into the recording (replays). */
  position: number;
  /** Playback reached the end of a finished recording. */
  ended: boolean;
  /** The link's last change of mode and the rule that made it (for reading a run: bench:throttle records it); null before any. */
  modeDecision: ModeDecision | null;
}

export const INITIAL_PLAYBACK_STATE: PlaybackState = {
  started: false,
  mode: 'video',
  audioOnlyReason: null,
  rendition: null,
  linkQuality: 'unknown',
  stalled: false,
  sourceIdle: false,
  trouble: false,
  soundBlocked: false,
  posterUrl: null,
  position: 0,
  ended: false,
  modeDecision: null,
};

/** The media elements a page renders for a playback to drive. */
export interface MediaElements {
  video: HTMLVideoElement;
  audio: HTMLAudioElement;
}

export interface Playback {
  readonly store: StateStore<PlaybackState>;
  /** Audio only by the attendee's choice, whatever the link could carry. */
  setDataSaver(on: boolean): void;
  setQuality(quality: Quality): void;
  /** Called from a tap: plays sound the browser refused to start by itself. */
  resumeSound(): void;
  close(): void;
}

/** Updates only what changed, so a tick that learnt nothing new does not re-render the page. */
export function patchState<S extends object>(store: StateStore<S>, patch: Partial<S>): void {
  const current = store.get();
  if ((Object.keys(patch) as Array<keyof S>).some((key) => !Object.is(current[key], patch[key]))) store.update(patch);
}

/** Plays with sound if the browser allows; otherwise muted, and the store asks for a tap. */
export function playWithSound(element: HTMLMediaElement, store: StateStore<PlaybackState>): void {
  element.muted = false;
  element.play().then(
    () => store.update({ soundBlocked: false }),
    (error: unknown) => {
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) return;
      store.update({ soundBlocked: true });
      // Muted playback is allowed almost everywhere: at least the picture moves and time advances.
      element.muted = true;
      element.play().catch(() => undefined);
    },
  );
}

/** Roughly what the lowest video rung (or simulcast layer) needs with its sound; the ladder's own figure replaces it once known. */
export const ASSUMED_VIDEO_NEED_BPS = 160_000;

/** How to begin before any media has been measured: a link that could not carry video gets sound first. */
export function startingMode(estimateBps: number | null): PlaybackMode {
  return estimateBps !== null && estimateBps < ASSUMED_VIDEO_NEED_BPS ? 'audio' : 'video';
}

/** The page's own download told us how fast the link was: the first guess before any media flows. */
export function pageLoadEstimateBps(): number | null {
  return largestDownloadBps() ?? browserDownlinkBps();
}

/** The throughput of the page's largest download (20 KB or more: the app's script) from its own timing; null when none. */
export function largestDownloadBps(): number | null {
  let best: PerformanceResourceTiming | null = null;
  for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    if (entry.transferSize < 20_000 || entry.responseEnd <= entry.responseStart) continue;
    if (best === null || entry.transferSize > best.transferSize) best = entry;
  }
  return best === null ? null : (best.transferSize * 8000) / (best.responseEnd - best.responseStart);
}

/** What the browser guesses of the link (Network Information API, Chromium), when it says. */
function browserDownlinkBps(): number | null {
  const downlinkMbps = (navigator as { connection?: { downlink?: number } }).connection?.downlink;
  return downlinkMbps ? downlinkMbps * 1_000_000 : null;
}
