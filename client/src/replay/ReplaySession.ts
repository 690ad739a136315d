import type { Replay } from '../../../shared/recordings';
import { recordingUrls } from '../../../shared/recordingLayout';
import { getReplay } from '../app/api';
import { StateStore } from '../lib/StateStore';
import { browserHlsSupport, createHlsPlayback } from '../player/NativeHlsPlayback';
import { INITIAL_PLAYBACK_STATE, type PlaybackState } from '../player/Playback';
import { PlaybackOwner, type AttendeeChoices } from '../player/PlaybackOwner';

export type ReplayStatus = 'loading' | 'ready' | 'not found' | 'failed';

export interface ReplayState extends PlaybackState, AttendeeChoices {
  status: ReplayStatus;
  replay: Replay | null;
  /** Bytes of the audio-only download, when the server said. */
  downloadBytes: number | null;
}

/** One recording: finds it, plays it with the adaptive HLS player, and sizes its audio download. */
export class ReplaySession extends PlaybackOwner<ReplayState> {
  readonly store = new StateStore<ReplayState>({
    ...INITIAL_PLAYBACK_STATE,
    status: 'loading',
    replay: null,
    downloadBytes: null,
    dataSaver: false,
    quality: 'auto',
  });
  readonly #slug: string;
  #closed = false;

  constructor(slug: string) {
    super();
    this.#slug = slug;
    void this.load();
  }

  async load(): Promise<void> {
    this.store.update({ status: 'loading' });
    let replay: Replay | undefined;
    try {
      replay = await getReplay(this.#slug);
    } catch {
      if (!this.#closed) this.store.update({ status: 'failed' });
      return;
    }
    if (this.#closed) return;
    this.store.update({ status: replay ? 'ready' : 'not found', replay: replay ?? null });
    if (replay?.hasAudioDownload) void this.#sizeDownload();
    this.startPlayback();
  }

  close(): void {
    this.#closed = true;
    this.release();
    this.store.clearListeners();
  }

  protected startPlayback(): void {
    const { replay } = this.store.get();
    const { elements } = this;
    if (this.playback !== null || elements === null || replay === null) return;
    // A browser with neither MSE nor a native player gets the MSE path and its failure, as before.
    const support = browserHlsSupport(elements.video);
    const playback = createHlsPlayback(support === 'native' ? 'native' : 'mse', {
      slug: replay.slug,
      live: false,
      hasVideo: replay.hasVideo,
      elements,
      ...this.startingPoint(),
    });
    this.adopt(playback, (state) => this.store.update(state));
  }

  /** A HEAD request: the attendee should know what the download costs before starting it. */
  async #sizeDownload(): Promise<void> {
    try {
      const response = await fetch(recordingUrls(this.#slug).audioDownload, { method: 'HEAD' });
      const bytes = Number(response.headers.get('content-length'));
      if (response.ok && bytes > 0 && !this.#closed) this.store.update({ downloadBytes: bytes });
    } catch {
      // The link still works without its size.
    }
  }
}
