import { recordingUrls } from '../../../shared/recordings';
import { StateStore } from '../lib/StateStore';
import { AudioPipe } from './AudioPipe';
import { BandwidthEstimator } from './BandwidthEstimator';
import { fetchMetered } from './fetchMetered';
import { assessLink, linkQuality } from './LinkAssessment';
import { parseLadder, type Ladder } from './MediaPlaylist';
import { ModeController, type PlaybackMode } from './ModeController';
import { bufferedAhead, bufferedStartAfter, type Pipe } from './Pipe';
import {
  ASSUMED_VIDEO_NEED_BPS,
  INITIAL_PLAYBACK_STATE,
  playWithSound,
  type MediaElements,
  type Playback,
  patchState,
  type PlaybackState,
  type Quality,
} from './Playback';
import { PosterFeed } from './PosterFeed';
import { TransferMeter } from './TransferMeter';
import { VideoPipe } from './VideoPipe';

const TICK_MS = 500;
const REOPEN_DELAY_MS = 2_000;
/**
 * An incoming video pipe starts this far ahead of the sound playing now: about what loading its first
 * segment takes, so it is ready as the playhead arrives rather than one segment behind it.
 */
const VIDEO_LEAD_SECONDS = 2;
const HANDOVER_CUSHION_SECONDS = 2;
/** A stalled pipe may hand over this far ahead of where it stopped: a few words lost beat a long silence. */
const MAX_SKIP_SECONDS = 3;
/** The stage picture is refreshed only while this much sound is buffered: the speech comes first. */
const POSTER_MIN_BUFFER_SECONDS = 6;
/** Between two nudges of an incoming pipe that fell behind: it needs time to load where it was sent. */
const STEER_INTERVAL_MS = 3_000;
/** Until the master playlist says otherwise. */
const ASSUMED_LADDER: Ladder = { videoNeedBps: ASSUMED_VIDEO_NEED_BPS, audioNeedBps: 40_000 };

export interface HlsPlaybackOptions {
  slug: string;
  /** A live event (EVENT playlists that grow) rather than a finished recording. */
  live: boolean;
  /** False for a recording without video: there is only the audio rung to play. */
  hasVideo: boolean;
  elements: MediaElements;
  dataSaver: boolean;
  quality: Quality;
  initialMode: PlaybackMode;
  /** What is known of the link before the first segment, e.g. from the page's own download. */
  initialEstimateBps: number | null;
}

interface Incoming {
  mode: PlaybackMode;
  /** Null while hls.js is still being downloaded. */
  pipe: Pipe | null;
}

/**
 * Plays an event's HLS files and switches between the video ladder (hls.js) and the audio-only rung
 * (our AudioPipe) as the link allows. A switch is made before it is broken: the new pipe buffers from
 * the current position while the old one keeps playing, and takes over once it can play that moment.
 */
export class HlsPlayback implements Playback {
  readonly store = new StateStore<PlaybackState>(INITIAL_PLAYBACK_STATE);
  readonly #options: HlsPlaybackOptions;
  readonly #urls: ReturnType<typeof recordingUrls>;
  readonly #meter = new TransferMeter();
  readonly #estimator: BandwidthEstimator;
  readonly #controller: ModeController;
  readonly #poster: PosterFeed;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #closing = new AbortController();
  #ladder: Ladder = ASSUMED_LADDER;
  #ladderKnown = false;
  #dataSaver: boolean;
  #quality: Quality;
  #active: Pipe | null = null;
  #activeRendition: string | null = null;
  #incoming: Incoming | null = null;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;
  #steeredAt = 0;
  /** Where to resume when a pipe failed and none is left playing. */
  #resumeAt: number | null = null;

  constructor(options: HlsPlaybackOptions) {
    this.#options = options;
    this.#urls = recordingUrls(options.slug);
    this.#dataSaver = options.dataSaver;
    this.#quality = options.quality;
    this.#estimator = new BandwidthEstimator();
    this.#controller = new ModeController(options.initialMode, performance.now());
    this.#controller.on('change', () => this.#applyMode());
    this.#poster = new PosterFeed({
      url: this.#urls.poster,
      meter: this.#meter,
      estimateBps: () => this.#estimator.fastBps,
      onPoster: (posterUrl) => this.store.update({ posterUrl }),
      refresh: options.live,
      linkIsFree: () => this.#active !== null && bufferedAhead(this.#active.element) >= POSTER_MIN_BUFFER_SECONDS,
    });
    for (const element of [options.elements.video, options.elements.audio]) {
      element.addEventListener('seeking', this.#onSeeking);
      element.addEventListener('ended', this.#onEnded);
    }
    void this.#loadLadder();
    this.#applyMode();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  setDataSaver(on: boolean): void {
    this.#dataSaver = on;
    this.#applyMode();
  }

  setQuality(quality: Quality): void {
    this.#quality = quality;
    for (const pipe of [this.#active, this.#incoming?.pipe]) if (pipe instanceof VideoPipe) pipe.setQuality(quality);
  }

  resumeSound(): void {
    if (this.#active) playWithSound(this.#active.element, this.store);
  }

  close(): void {
    this.#closing.abort();
    clearInterval(this.#timer);
    clearTimeout(this.#reopenTimer);
    for (const element of [this.#options.elements.video, this.#options.elements.audio]) {
      element.removeEventListener('seeking', this.#onSeeking);
      element.removeEventListener('ended', this.#onEnded);
    }
    this.#incoming?.pipe?.close();
    this.#incoming = null;
    this.#active?.close();
    this.#active = null;
    this.#poster.close();
    this.#controller.close();
    this.store.clearListeners();
  }

  get #closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** The thresholds come from the master playlist; it may not exist yet when an event has just begun. */
  async #loadLadder(): Promise<void> {
    for (let attempt = 1; !this.#closed && !this.#ladderKnown; attempt++) {
      try {
        const { body } = await fetchMetered(this.#urls.master, this.#meter, { signal: this.#closing.signal });
        this.#ladder = parseLadder(new TextDecoder().decode(body));
        this.#ladderKnown = true;
        this.#applyMode();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(8, attempt) * 1_000));
      }
    }
  }

  #mode(): PlaybackMode {
    if (this.#dataSaver || !this.#options.hasVideo || (this.#ladderKnown && this.#ladder.videoNeedBps === null)) {
      return 'audio';
    }
    return this.#controller.mode;
  }

  #applyMode(): void {
    if (this.#closed) return;
    const mode = this.#mode();
    this.#publishMode();
    this.#poster[mode === 'audio' && this.#options.hasVideo ? 'start' : 'stop']();
    if (this.#incoming?.mode === mode) return;
    this.#incoming?.pipe?.close();
    this.#incoming = null;
    if (this.#active?.mode === mode) {
      this.#active.resumeLoading();
      return;
    }
    this.#open(mode);
  }

  /** What is playing, which lags what is wanted by the time the incoming pipe needs to take over. */
  #publishMode(): void {
    const mode = this.#active?.mode ?? this.#mode();
    this.store.update({ mode, audioOnlyReason: mode === 'video' ? null : this.#audioOnlyReason() });
  }

  #audioOnlyReason(): PlaybackState['audioOnlyReason'] {
    if (this.#dataSaver) return 'data saver';
    if (!this.#options.hasVideo || this.#ladder.videoNeedBps === null) return 'no video';
    return 'slow connection';
  }

  #open(mode: PlaybackMode): void {
    const active = this.#active;
    const incoming: Incoming = { mode, pipe: null };
    this.#incoming = incoming;
    const { live, elements } = this.#options;
    if (mode === 'audio') {
      // Going down for the link's sake, the video is what starves it: stop fetching it and let its
      // buffer play out, while the sound is fetched from where that buffer ends. An attendee who chose
      // audio only wants the picture gone now.
      active?.stopLoading();
      const playOut = active !== null && !this.#dataSaver;
      const startPosition = active
        ? Math.max(active.element.currentTime, playOut ? bufferedEnd(active.element) - 1 : 0)
        : this.#resumeAt;
      this.#attach(incoming, new AudioPipe(elements.audio, this.#urls.audioOnly, this.#meter, { live, startPosition }));
      return;
    }
    VideoPipe.open(elements.video, this.#urls.master, this.#meter, {
      live,
      startPosition: active ? active.element.currentTime + VIDEO_LEAD_SECONDS : this.#resumeAt,
      estimateBps: this.#estimator.cautiousBps ?? this.#options.initialEstimateBps,
      quality: this.#quality,
    }).then(
      (pipe) => {
        if (this.#incoming === incoming) this.#attach(incoming, pipe);
        else pipe.close();
      },
      () => {
        // hls.js itself could not be downloaded: try again in a while.
        if (this.#incoming === incoming) this.#dropIncoming();
      },
    );
  }

  #attach(incoming: Incoming, pipe: Pipe): void {
    incoming.pipe = pipe;
    pipe.on('buffered', () => this.#tryCutover());
    pipe.on('rendition', (rendition) => {
      if (pipe === this.#active) this.store.update({ rendition });
      this.#activeRendition = rendition;
    });
    pipe.on('idle', (sourceIdle) => {
      if (pipe === this.#active) this.store.update({ sourceIdle });
    });
    pipe.on('trouble', (trouble) => {
      if (pipe === this.#active) this.store.update({ trouble });
    });
    pipe.on('failed', () => {
      if (pipe === this.#active) this.#reopenActive();
      else if (pipe === this.#incoming?.pipe) this.#dropIncoming();
    });
  }

  /** Hands playback to the incoming pipe once it can play the moment the active one is at. */
  #tryCutover(): void {
    const pipe = this.#incoming?.pipe;
    if (!pipe) return;
    const active = this.#active;
    let position = active?.element.currentTime ?? this.#firstPosition(pipe);
    if (position === null) return;
    // While the old pipe still plays, hand over only with a cushion: a new pipe holding a fraction of a
    // second would stall at once. A stalled old pipe hands over as soon as the new one can play at all,
    // even a little further on (the old one may have stopped short of its buffer's end, at a gap).
    const oldStillPlays = active !== null && active.element.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA;
    if (oldStillPlays) {
      if (!pipe.covers(position + HANDOVER_CUSHION_SECONDS)) return;
    } else if (!pipe.covers(position)) {
      const next = bufferedStartAfter(pipe.element, position);
      if (next === null || next - position > MAX_SKIP_SECONDS || !pipe.covers(next)) return;
      position = next;
    }
    const previous = active;
    this.#active = pipe;
    this.#incoming = null;
    this.#resumeAt = null;
    if (Math.abs(pipe.element.currentTime - position) > 0.1) pipe.element.currentTime = position;
    playWithSound(pipe.element, this.store);
    if (previous) {
      previous.element.pause();
      previous.close();
    }
    this.#publishMode();
    this.store.update({
      started: true,
      rendition: pipe.mode === 'video' ? this.#activeRendition : null,
      sourceIdle: false,
      trouble: false,
    });
  }

  /**
   * An incoming pipe buffers ahead of its own (paused) playhead: one that fell behind the playing one
   * would fill up where it is no longer needed and never take over, so it is sent ahead again.
   */
  #steer(nowMs: number): void {
    const pipe = this.#incoming?.pipe;
    const active = this.#active;
    if (!pipe || !active || nowMs - this.#steeredAt < STEER_INTERVAL_MS) return;
    const position = active.element.currentTime;
    if (pipe.covers(position) || pipe.element.currentTime >= position - 0.5) return;
    this.#steeredAt = nowMs;
    pipe.element.currentTime = position + (pipe.mode === 'video' ? VIDEO_LEAD_SECONDS : 0);
  }

  /** Where hls.js placed a first start (the live sync point), else where the pipe began buffering. */
  #firstPosition(pipe: Pipe): number | null {
    const { currentTime } = pipe.element;
    return currentTime > 0 && pipe.covers(currentTime) ? currentTime : pipe.startTime;
  }

  #reopenActive(): void {
    const failed = this.#active;
    if (!failed) return;
    this.#resumeAt = failed.element.currentTime;
    failed.close();
    this.#active = null;
    this.store.update({ trouble: true });
    this.#reopenTimer = setTimeout(() => this.#applyMode(), REOPEN_DELAY_MS);
  }

  #dropIncoming(): void {
    this.#incoming?.pipe?.close();
    this.#incoming = null;
    this.#active?.resumeLoading();
    this.#reopenTimer = setTimeout(() => this.#applyMode(), REOPEN_DELAY_MS);
  }

  readonly #onSeeking = (event: Event): void => {
    // A replay listener jumped: a switch under way must start buffering from the new place.
    if (this.#incoming && event.target === this.#active?.element) {
      const { mode } = this.#incoming;
      this.#incoming.pipe?.close();
      this.#incoming = null;
      this.#open(mode);
    }
    this.store.update({ ended: false });
  };

  readonly #onEnded = (event: Event): void => {
    if (event.target === this.#active?.element) this.store.update({ ended: true });
  };

  #tick(): void {
    const now = performance.now();
    const sample = this.#meter.take(now);
    if (sample) this.#estimator.sample(now, sample.bps);
    if (this.#ladderKnown && this.#ladder.videoNeedBps !== null) {
      this.#controller.observe(now, assessLink(this.#estimator, this.#ladder.videoNeedBps));
    }
    this.#tryCutover();
    this.#steer(now);
    const element = this.#active?.element;
    patchState(this.store, {
      linkQuality: linkQuality(
        this.#estimator.fastBps,
        this.#ladder.videoNeedBps ?? ASSUMED_VIDEO_NEED_BPS,
        this.#ladder.audioNeedBps,
      ),
      stalled: element !== undefined && !element.paused && !element.ended && element.readyState < HTMLMediaElement.HAVE_FUTURE_DATA,
      position: Math.floor(element?.currentTime ?? 0),
    });
  }
}

function bufferedEnd(element: HTMLMediaElement): number {
  const { buffered } = element;
  return buffered.length > 0 ? buffered.end(buffered.length - 1) : element.currentTime;
}
