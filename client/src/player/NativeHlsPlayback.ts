import { recordingUrls } from '../../../shared/recordingLayout';
import { StateStore } from '../lib/StateStore';
import { HlsPlayback, type HlsPlaybackOptions } from './HlsPlayback';
import { INITIAL_PLAYBACK_STATE, patchState, playWithSound, type MediaElements, type Playback, type PlaybackState } from './Playback';

/**
 * How this browser can play HLS: through Media Source Extensions (hls.js and our audio pipe, which need
 * `MediaSource` itself), through its own player (Safari, iOS, where `<video>` takes a playlist), or not.
 */
export type HlsSupport = 'mse' | 'native' | 'none';

/** `nativeHlsType`: what `canPlayType('application/vnd.apple.mpegurl')` answered ('' for no). */
export function hlsSupport(mediaSource: boolean, nativeHlsType: string): HlsSupport {
  if (mediaSource) return 'mse';
  return nativeHlsType !== '' ? 'native' : 'none';
}

export function browserHlsSupport(probe: HTMLMediaElement): HlsSupport {
  return hlsSupport(typeof MediaSource !== 'undefined', probe.canPlayType('application/vnd.apple.mpegurl'));
}

/** The playback for this browser's HLS support ('none' is the caller's to handle before). */
export function createHlsPlayback(support: Exclude<HlsSupport, 'none'>, options: HlsPlaybackOptions): Playback {
  return support === 'native' ? new NativeHlsPlayback(options) : new HlsPlayback(options);
}

/**
 * What the browser's own player loads: video and sound from the master playlist (during a live event its
 * sliding window, which a native player starts at the live edge; the whole event's master would start
 * it at the beginning), or the AAC audio-only rung's playlist for sound only. The Opus speech rung is
 * left out of the masters and is not one Safari plays from HLS.
 */
export function nativeSource(
  urls: ReturnType<typeof recordingUrls>,
  { live, audioOnly }: { live: boolean; audioOnly: boolean },
): { element: keyof MediaElements; url: string } {
  if (audioOnly) return { element: 'audio', url: live ? urls.liveAudioOnly : urls.audioOnly };
  return { element: 'video', url: live ? urls.liveMaster : urls.master };
}

/**
 * Plays an event's HLS through the browser's own player, for browsers without Media Source Extensions
 * (Safari on iOS before 17.1). That player picks the rendition itself and measures nothing it shares, so
 * there is no quality choice and no adaptation here: sound only is the attendee's data-saver choice, or
 * a recording without video.
 */
export class NativeHlsPlayback implements Playback {
  readonly store = new StateStore<PlaybackState>(INITIAL_PLAYBACK_STATE);
  readonly #options: HlsPlaybackOptions;
  readonly #urls: ReturnType<typeof recordingUrls>;
  #element: HTMLMediaElement | null = null;

  constructor(options: HlsPlaybackOptions) {
    this.#options = options;
    this.#urls = recordingUrls(options.slug);
    this.#play(options.dataSaver);
  }

  setDataSaver(on: boolean): void {
    if (this.#options.hasVideo) this.#play(on);
  }

  setQuality(): void {
    // The browser's own player chooses the rendition and takes no advice.
  }

  resumeSound(): void {
    if (this.#element) playWithSound(this.#element, this.store);
  }

  close(): void {
    this.#stop();
    this.store.clearListeners();
  }

  #play(dataSaver: boolean): void {
    const { live, hasVideo, elements } = this.#options;
    const audioOnly = dataSaver || !hasVideo;
    const source = nativeSource(this.#urls, { live, audioOnly });
    const element = elements[source.element];
    if (element === this.#element) return;
    // A recording carries on from the same moment in the other playlist; live rejoins the live edge.
    const resumeAt = live ? 0 : (this.#element?.currentTime ?? 0);
    this.#stop();
    this.#element = element;
    for (const [type, listener] of this.#listeners) element.addEventListener(type, listener);
    element.src = source.url;
    if (resumeAt > 0) element.currentTime = resumeAt;
    patchState(this.store, {
      mode: audioOnly ? 'audio' : 'video',
      audioOnlyReason: !audioOnly ? null : hasVideo ? 'data saver' : 'no video',
      posterUrl: audioOnly ? this.#urls.poster : null,
      rendition: null,
    });
    playWithSound(element, this.store);
  }

  #stop(): void {
    const element = this.#element;
    if (element === null) return;
    for (const [type, listener] of this.#listeners) element.removeEventListener(type, listener);
    element.pause();
    // Without this the element keeps fetching the playlist it was given.
    element.removeAttribute('src');
    element.load();
    this.#element = null;
  }

  readonly #listeners: Array<[string, (event: Event) => void]> = [
    ['playing', () => patchState(this.store, { started: true, stalled: false, trouble: false, ended: false })],
    ['waiting', () => patchState(this.store, { stalled: true })],
    ['error', () => patchState(this.store, { trouble: true })],
    ['ended', () => patchState(this.store, { ended: true })],
    ['timeupdate', (event) => patchState(this.store, { position: Math.floor((event.target as HTMLMediaElement).currentTime) })],
  ];
}
