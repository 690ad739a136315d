import type { Page } from 'playwright-core';

/** What the watch and replay pages show, read the way an attendee (or a test) can see it. */
export interface PlayerView {
  connection: string | null;
  path: string | null;
  mode: string | null;
  paused: boolean;
  poster: boolean;
  video: MediaView;
  audio: MediaView;
}

export interface MediaView {
  currentTime: number;
  playing: boolean;
  /** Chromium's count of decoded bytes: proof that media was decoded, not only fetched. */
  audioDecodedBytes: number;
  videoDecodedBytes: number;
  /** The element's buffered ranges, [start, end] in its own time. */
  buffered: Array<[number, number]>;
}

/** Whether `view` holds media from `time` to `until`, in one buffered range. */
export function holds(view: MediaView, time: number, until: number): boolean {
  return view.buffered.some(([start, end]) => start <= time + 0.05 && end >= until);
}

export function readPlayer(page: Page): Promise<PlayerView> {
  return page.evaluate(() => {
    const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    const media = (element: HTMLMediaElement | null) => {
      const decoded = element as unknown as { webkitAudioDecodedByteCount?: number; webkitVideoDecodedByteCount?: number } | null;
      return {
        currentTime: element?.currentTime ?? 0,
        playing: element !== null && !element.paused && !element.ended,
        audioDecodedBytes: decoded?.webkitAudioDecodedByteCount ?? 0,
        videoDecodedBytes: decoded?.webkitVideoDecodedByteCount ?? 0,
        buffered: element ? Array.from({ length: element.buffered.length }, (_, i): [number, number] => [element.buffered.start(i), element.buffered.end(i)]) : [],
      };
    };
    return {
      connection: byTestId('connection-state')?.dataset.state ?? null,
      path: byTestId('delivery-path')?.dataset.path ?? null,
      mode: byTestId('playback-mode')?.dataset.mode ?? null,
      paused: byTestId('watch-notice')?.dataset.paused === 'true',
      poster: byTestId('stage-poster') !== null,
      video: media(document.querySelector<HTMLVideoElement>('[data-testid="watch-video"]')),
      // The boot script's element while it lives: it plays the sound before the app, and the audio pipe goes on with it.
      audio: media(
        document.querySelector<HTMLAudioElement>('[data-testid="boot-audio"]') ??
          document.querySelector<HTMLAudioElement>('[data-testid="watch-audio"]'),
      ),
    };
  });
}

/** The element carrying sound now: the video element plays the muxed rungs, the audio element the rest. */
export function playingMedia(view: PlayerView): MediaView {
  return view.mode === 'audio' || view.path === 'webrtc' ? view.audio : view.video;
}

export interface Progress {
  seconds: number;
  audioDecodedBytes: number;
  videoDecodedBytes: number;
}

/** How far the sounding element got over a window of time (its own counters; a switch resets them). */
export async function progressOver(page: Page, ms: number): Promise<Progress> {
  const before = playingMedia(await readPlayer(page));
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = playingMedia(await readPlayer(page));
  return {
    seconds: after.currentTime - before.currentTime,
    audioDecodedBytes: after.audioDecodedBytes - before.audioDecodedBytes,
    videoDecodedBytes: after.videoDecodedBytes - before.videoDecodedBytes,
  };
}

/**
 * How long the sounding element stood still over a window of time, sampled every `stepMs`: the sum of
 * the steps in which its position moved less than a tenth of the step. A switch of element counts as a
 * stall only if the new one does not move either.
 */
export async function stalledSecondsOver(page: Page, ms: number, stepMs = 250): Promise<{ stalled: number; advanced: number }> {
  let previous = playingMedia(await readPlayer(page)).currentTime;
  let stalled = 0;
  let advanced = 0;
  for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const now = playingMedia(await readPlayer(page)).currentTime;
    const moved = now - previous;
    if (moved < stepMs / 10_000) stalled += stepMs / 1000;
    else advanced += Math.min(moved, (stepMs / 1000) * 2);
    previous = now;
  }
  return { stalled, advanced };
}
