import type { StateStore } from '../lib/StateStore';
import type { AdaptationStart } from './Adaptation';
import {
  pageLoadEstimateBps,
  startingMode,
  type MediaElements,
  type Playback,
  type PlaybackState,
  type Quality,
} from './Playback';

/** What the attendee chose; it outlives any one playback (a path change, a reconnection). */
export interface AttendeeChoices {
  dataSaver: boolean;
  quality: Quality;
}

/**
 * Holds the current playback of a page (live or replay) and applies the attendee's choices to it; each
 * new playback is created with the choices as they stand, once the page's media elements are there.
 */
export abstract class PlaybackOwner<S extends PlaybackState & AttendeeChoices> {
  abstract readonly store: StateStore<S>;
  #playback: Playback | null = null;
  #unsubscribe: (() => void) | null = null;
  #elements: MediaElements | null = null;

  protected get playback(): Playback | null {
    return this.#playback;
  }

  protected get elements(): MediaElements | null {
    return this.#elements;
  }

  /** The page's media elements, once rendered; playback starts when both they and something to play are there. */
  attachMedia(elements: MediaElements | null): void {
    this.#elements = elements;
    if (elements === null) this.stopPlayback();
    else this.startPlayback();
  }

  setDataSaver(dataSaver: boolean): void {
    this.store.update({ dataSaver } as Partial<S>);
    this.#playback?.setDataSaver(dataSaver);
  }

  setQuality(quality: Quality): void {
    this.store.update({ quality } as Partial<S>);
    this.#playback?.setQuality(quality);
  }

  resumeSound(): void {
    this.#playback?.resumeSound();
  }

  /** Starts a playback if there is none and there is something to play. */
  protected abstract startPlayback(): void;

  /** The media elements went away: playback cannot go on. */
  protected stopPlayback(): void {
    this.release();
  }

  /**
   * How the next playback begins: the choices as they stand, and a first guess at the link (`measuredBps`
   * when something measured it, else the page's own download). A link that just failed gets sound
   * first, and no guess.
   */
  protected startingPoint(
    linkFailed = false,
    measuredBps: number | null = null,
  ): AdaptationStart & { initialEstimateBps: number | null } {
    const { dataSaver, quality } = this.store.get();
    const estimate = linkFailed ? null : (measuredBps ?? pageLoadEstimateBps());
    return { dataSaver, quality, initialMode: linkFailed ? 'audio' : startingMode(estimate), initialEstimateBps: estimate };
  }

  /** Makes `playback` the current one; `onChange` gets its state now and after every change. */
  protected adopt(playback: Playback, onChange: (state: PlaybackState) => void): void {
    this.release();
    this.#playback = playback;
    this.#unsubscribe = playback.store.subscribe(() => onChange(playback.store.get()));
    onChange(playback.store.get());
  }

  /** Closes the current playback, if any. */
  protected release(): void {
    this.letGo()?.close();
  }

  /** Stops following the current playback without closing it, and returns it: closing it is now the caller's. */
  protected letGo(): Playback | null {
    const playback = this.#playback;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#playback = null;
    return playback;
  }
}
