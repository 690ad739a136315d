import type { StateStore } from '../lib/StateStore';
import type { Playback, PlaybackState, Quality } from './Playback';

/** What the attendee chose; it outlives any one playback (a path change, a reconnection). */
export interface AttendeeChoices {
  dataSaver: boolean;
  quality: Quality;
}

/**
 * Holds the current playback of a page (live or replay) and applies the attendee's choices to it; each
 * new playback is created with the choices as they stand.
 */
export abstract class PlaybackOwner<S extends PlaybackState & AttendeeChoices> {
  abstract readonly store: StateStore<S>;
  #playback: Playback | null = null;
  #unsubscribe: (() => void) | null = null;

  protected get playback(): Playback | null {
    return this.#playback;
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

  /** Makes `playback` the current one; `onChange` gets its state now and after every change. */
  protected adopt(playback: Playback, onChange: (state: PlaybackState) => void): void {
    this.release();
    this.#playback = playback;
    this.#unsubscribe = playback.store.subscribe(() => onChange(playback.store.get()));
    onChange(playback.store.get());
  }

  /** Closes the current playback, if any. */
  protected release(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#playback?.close();
    this.#playback = null;
  }
}
