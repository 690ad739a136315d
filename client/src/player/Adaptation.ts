import type { StateStore } from '../lib/StateStore';
import { BandwidthEstimator } from './BandwidthEstimator';
import { assessLink, kbps, linkQuality, type LinkQuality } from './LinkAssessment';
import { ModeController, type Judgement, type LinkVerdict, type PlaybackMode } from './ModeController';
import type { AudioOnlyReason, PlaybackState, Quality } from './Playback';
import type { Pathways } from './Pathways';
import { PosterFeed } from './PosterFeed';
import { TransferMeter } from './TransferMeter';

/**
 * A link as fast as an estimate that would bring video back answers a request (a 5 KB speech segment, a
 * playlist, the stage picture) well within this. A request pending longer says the link has fallen since
 * the estimate's last figures: no way back to video on them.
 */
const SLOW_ANSWER_MS = 1_000;

/** How a playback begins: the attendee's choices as they stand, and the first guess at the link. */
export interface AdaptationStart {
  dataSaver: boolean;
  quality: Quality;
  initialMode: PlaybackMode;
}

/**
 * What a delivery path implements: how it changes what it receives. Everything else (what to receive,
 * why, and what the attendee is shown about it) is the adaptation's.
 */
export interface AdaptivePath {
  /** Makes what is received follow `mode`; called on every reconsideration, also when `mode` did not change. */
  applyMode(mode: PlaybackMode): void;
  applyQuality(quality: Quality): void;
  /** One turn of the monitoring loop: measure, feed `measure`/`observe`, report what it saw. */
  monitor(): void | Promise<void>;
  /** What plays now, when it lags the wanted mode (a switch made before it is broken); null when nothing plays. */
  playingMode?(): PlaybackMode | null;
}

export interface AdaptationOptions extends AdaptationStart {
  /** The playback's store: mode, reason and poster are published here. */
  store: StateStore<PlaybackState>;
  /** Between two turns of the path's monitoring loop. */
  monitorIntervalMs: number;
  /** False for a recording without video: only sound, and no stage picture to show. */
  hasVideo: boolean;
  /**
   * Whether verdicts reach the mode controller while the data saver keeps video off. Over HLS the audio
   * rung's own downloads measure the link as well as any; over WebRTC the mode is kept as it was, ready
   * for when the attendee turns video back on.
   */
  learnDuringDataSaver: boolean;
  posterUrl: string;
  /** False for a finished recording, whose poster never changes. */
  refreshPoster: boolean;
  /** False while the sound needs every byte: the stage picture waits. */
  posterLinkIsFree?: () => boolean;
  /** Where the event's files are fetched from (the origin or a mirror). */
  pathways: Pathways;
  /**
   * Only an estimate a transfer renewed within this brings video back: the link may have fallen since
   * (HLS: the sound's segments renew it every few seconds; none on WebRTC, whose clean sound is itself
   * fresh news of the link).
   */
  estimateFreshForMs?: number;
}

/**
 * The adaptation shared by both delivery paths: owns the link measurements (meter, estimator), the
 * video/audio-only decision (mode controller, data saver, a source without video), the stage picture
 * shown in audio only, the attendee's quality, and the one monitoring loop. It publishes the mode and
 * its reason into the playback's store; the path only carries the decision out.
 */
export class Adaptation {
  readonly meter = new TransferMeter();
  readonly #estimator = new BandwidthEstimator();
  readonly #controller: ModeController;
  readonly #poster: PosterFeed;
  readonly #options: AdaptationOptions;
  readonly #path: AdaptivePath;
  #dataSaver: boolean;
  #quality: Quality;
  /** The source turned out to carry no video (a ladder without a video rung). */
  #noVideo = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: AdaptationOptions, path: AdaptivePath) {
    this.#options = options;
    this.#path = path;
    this.#dataSaver = options.dataSaver;
    this.#quality = options.quality;
    this.#controller = new ModeController(options.initialMode, performance.now());
    this.#controller.on('change', (modeDecision) => {
      options.store.update({ modeDecision });
      this.apply();
    });
    this.#poster = new PosterFeed({
      url: options.posterUrl,
      meter: this.meter,
      estimateBps: () => this.#estimator.fastBps,
      onPoster: (posterUrl) => options.store.update({ posterUrl }),
      refresh: options.refreshPoster,
      linkIsFree: options.posterLinkIsFree,
      pathways: options.pathways,
    });
  }

  /** Separate from construction: the path's hooks may read this adaptation, which its owner must hold first. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.apply();
    this.#timer = setInterval(() => void this.#path.monitor(), this.#options.monitorIntervalMs);
  }

  /** The mode wanted now, which what plays may lag. */
  get mode(): PlaybackMode {
    if (this.#dataSaver || !this.#options.hasVideo || this.#noVideo) return 'audio';
    return this.#controller.mode;
  }

  get dataSaver(): boolean {
    return this.#dataSaver;
  }

  get quality(): Quality {
    return this.#quality;
  }

  /** The quick-moving average: what the link carries now; null before any measurement. */
  get fastBps(): number | null {
    return this.#estimator.fastBps;
  }

  /** The lower of the two averages, for a first choice of rung; null before any measurement. */
  get cautiousBps(): number | null {
    return this.#estimator.cautiousBps;
  }

  setDataSaver(on: boolean): void {
    this.#dataSaver = on;
    this.apply();
  }

  setQuality(quality: Quality): void {
    this.#quality = quality;
    this.#path.applyQuality(quality);
  }

  /**
   * The source has no video to offer (`true`): sound only, and the attendee is told why; or it has
   * video again (`false`, the organizer turned the camera back on).
   */
  setNoVideo(noVideo = true): void {
    if (noVideo === this.#noVideo) return;
    this.#noVideo = noVideo;
    this.apply();
  }

  /** Publishes the mode and sends the path after it again (also after the path lost what it played). */
  apply(): void {
    if (this.#closed) return;
    const mode = this.mode;
    this.publishMode();
    this.#poster[mode === 'audio' && this.#options.hasVideo ? 'start' : 'stop']();
    this.#path.applyMode(mode);
  }

  /** Why the wanted mode is audio only; null when it is video. */
  get audioOnlyReason(): AudioOnlyReason | null {
    return this.mode === 'video' ? null : this.#audioOnlyReason();
  }

  /** Shows the attendee what plays (or, before anything does, what is wanted) and why there is no video. */
  publishMode(): void {
    const mode = this.#path.playingMode?.() ?? this.mode;
    this.#options.store.update({ mode, audioOnlyReason: mode === 'video' ? null : this.#audioOnlyReason() });
  }

  /** Feeds what the transfers carried since the last call into the estimate. */
  measure(nowMs: number): void {
    const sample = this.meter.take(nowMs);
    if (sample) this.#estimator.sample(nowMs, sample.bps);
  }

  /** What the estimate says about carrying video that needs `videoNeedBps`, at `nowMs`. */
  assess(videoNeedBps: number, nowMs: number): Judgement {
    const { fastBps, cautiousBps } = this.#estimator;
    const verdict = assessLink(this.#estimator, videoNeedBps);
    const figures = `fast ${kbps(fastBps)}, cautious ${kbps(cautiousBps)}, video needs ${kbps(videoNeedBps)}`;
    const judged = (verdict: LinkVerdict | null, why?: string): Judgement => ({
      verdict,
      rule: 'estimate',
      detail: why === undefined ? figures : `${figures}; ${why}`,
    });
    if (verdict !== 'sufficient') return judged(verdict);
    const pendingMs = this.meter.longestPendingMs(nowMs);
    // Marginal: the wait before video comes back starts again.
    if (pendingMs > SLOW_ANSWER_MS) return judged('marginal', `a request pending ${seconds(pendingMs)}`);
    const ageMs = nowMs - (this.#estimator.lastSampleAt ?? nowMs);
    // No news: the wait goes on, but only fresh figures end it.
    if (ageMs > (this.#options.estimateFreshForMs ?? Infinity)) return judged(null, `measured ${seconds(ageMs)} ago`);
    return judged(verdict);
  }

  linkQuality(videoNeedBps: number, audioNeedBps: number): LinkQuality {
    return linkQuality(this.#estimator.fastBps, videoNeedBps, audioNeedBps);
  }

  observe(nowMs: number, judgement: Judgement): void {
    if (this.#dataSaver && !this.#options.learnDuringDataSaver) return;
    this.#controller.observe(nowMs, judgement);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#poster.close();
    this.#controller.close();
  }

  #audioOnlyReason(): AudioOnlyReason {
    if (this.#dataSaver) return 'data saver';
    if (!this.#options.hasVideo || this.#noVideo) return 'no video';
    return 'slow connection';
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
