import type { types } from 'mediasoup-client';
import { OPUS_MAX_AVERAGE_BITRATE, simulcastEncodings } from '../../../shared/media';
import { recordingUrls } from '../../../shared/recordingLayout';
import { StateStore } from '../lib/StateStore';
import type { MediaSignalling } from '../media/MediaSignalling';
import { Adaptation, type AdaptationStart } from './Adaptation';
import type { LinkQuality } from './LinkAssessment';
import type { LinkVerdict, PlaybackMode } from './ModeController';
import {
  INITIAL_PLAYBACK_STATE,
  patchState,
  playWithSound,
  type MediaElements,
  type Playback,
  type PlaybackState,
  type Quality,
} from './Playback';
import { Receiver, TOP_SPATIAL_LAYER, type ReceiverOutput } from './Receiver';
import { readRtpTotals, rtpHealth, type RtpHealth, type RtpTotals } from './RtpHealth';
import { eventPathways } from './pathwayFetch';
import { WebRtcAdaptation } from './WebRtcAdaptation';

/** Twice a second: a collapse under the sound is seen half a second sooner than with one sample a second. */
const STATS_INTERVAL_MS = 500;
/** Health is judged over the last 3 s: single samples hold a handful of 120 ms sound packets and are noisy. */
const HEALTH_WINDOW_SAMPLES = 6;
/** UDP and TCP candidates are tried side by side: if neither connects by then, neither will soon. */
const CONNECT_DEADLINE_MS = 10_000;
/** ICE often recovers from a brief outage by itself (a phone switching cells); longer is a lost connection. */
const DISCONNECTED_GRACE_MS = 8_000;
/** The lowest simulcast layer and the voice: the least video costs (streams without layers cost more, measured). */
const LOWEST_VIDEO_NEED_BPS = simulcastEncodings[0].maxBitrate + OPUS_MAX_AVERAGE_BITRATE;
const AUDIO_NEED_BPS = OPUS_MAX_AVERAGE_BITRATE;

const LAYER_BY_QUALITY: Record<Exclude<Quality, 'auto'>, number> = { low: 0, medium: 1, high: 2 };

export type WebRtcFailure = 'cannot connect' | 'connection lost' | 'unhealthy';

export interface WebRtcPlaybackOptions extends AdaptationStart {
  signalling: MediaSignalling;
  routerRtpCapabilities: types.RtpCapabilities;
  slug: string;
  elements: MediaElements;
  /** WebRTC will not do for this attendee; the owner closes this playback and picks another path. */
  onFailure(reason: WebRtcFailure): void;
}

/**
 * Plays a live event over WebRTC and adapts it from receive statistics: a lower simulcast layer first,
 * then audio only (the server pauses the video consumer), and back as the link recovers. While in audio
 * only, poster downloads measure the link over HTTP, since RTP then says nothing about spare capacity.
 */
export class WebRtcPlayback implements Playback {
  readonly store = new StateStore<PlaybackState>(INITIAL_PLAYBACK_STATE);
  readonly #options: WebRtcPlaybackOptions;
  readonly #receiver: Receiver;
  readonly #adaptation: Adaptation;
  /** Layers and verdicts from receive statistics. */
  readonly #rtpAdaptation: WebRtcAdaptation;
  readonly #unsubscribes: Array<() => void>;
  #audioOnlySent: boolean;
  #connected = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last few seconds of totals: health is judged over a window, as single seconds are noisy. */
  readonly #recentTotals: RtpTotals[] = [];
  #videoScore: number | null = null;
  #receivingLayer: number | null = null;
  #videoNeedBps = LOWEST_VIDEO_NEED_BPS;
  /** The sound's own element once handed over (`handOver`); until then it plays in the page's. */
  #handedOverSound: HTMLAudioElement | null = null;
  #closed = false;

  static async open(options: WebRtcPlaybackOptions): Promise<WebRtcPlayback> {
    const audioOnly = options.dataSaver || options.initialMode === 'audio';
    // Consumers are created only after open() returns, so nothing reaches these before `playback` is set.
    let playback: WebRtcPlayback | undefined;
    const handlers = {
      onOutput: (output: ReceiverOutput) => {
        if (playback) playback.#onOutput(output);
      },
      onTransportStateChange: (state: types.ConnectionState) => {
        if (playback) playback.#onTransportStateChange(state);
      },
    };
    const [receiver] = await Promise.all([
      Receiver.open(options.signalling, options.routerRtpCapabilities, preferredLayer(options.quality), handlers),
      // Before any consumer is resumed, and always sent, so no earlier preference of this socket lingers.
      options.signalling.request('setAudioOnly', { audioOnly }),
    ]);
    playback = new WebRtcPlayback(receiver, options, audioOnly);
    return playback;
  }

  private constructor(receiver: Receiver, options: WebRtcPlaybackOptions, audioOnlySent: boolean) {
    this.#receiver = receiver;
    this.#options = options;
    this.#audioOnlySent = audioOnlySent;
    this.#rtpAdaptation = new WebRtcAdaptation(...layerLimit(options.quality));
    this.#adaptation = new Adaptation(
      {
        ...options,
        store: this.store,
        monitorIntervalMs: STATS_INTERVAL_MS,
        hasVideo: true,
        learnDuringDataSaver: false,
        posterUrl: recordingUrls(options.slug).poster,
        pathways: eventPathways(options.slug),
        refreshPoster: true,
        posterLinkIsFree: () =>
          this.#rtpAdaptation.pictureTurn(performance.now(), this.#adaptation.audioOnlyReason === 'slow connection'),
      },
      {
        applyMode: (mode) => this.#applyMode(mode),
        applyQuality: () => {
          this.#limitLayers();
          this.#requestLayer(this.#rtpAdaptation.layer);
        },
        monitor: () => this.#sampleStats(),
      },
    );
    this.#unsubscribes = [
      options.signalling.on('consumerScore', ({ consumerId, score }) => {
        if (receiver.isVideoConsumer(consumerId)) this.#videoScore = score;
      }),
    ];
    if (audioOnlySent) this.#rtpAdaptation.audioOnlyApplied(performance.now());
    this.#adaptation.start();
  }

  /** Never rejects; the first call starts the clock on connecting. */
  consume(producerId: string): void {
    if (!this.#connected && this.#connectTimer === undefined) {
      this.#connectTimer = setTimeout(() => this.#options.onFailure('cannot connect'), CONNECT_DEADLINE_MS);
    }
    void this.#receiver.consume(producerId);
  }

  setDataSaver(on: boolean): void {
    this.#adaptation.setDataSaver(on);
  }

  /**
   * Whether the organizer sends video. Without (a microphone alone, or the camera turned off) there is
   * sound only, over the poster: the still picture the server packages in the camera's place.
   */
  setSourceHasVideo(hasVideo: boolean): void {
    this.#adaptation.setNoVideo(!hasVideo);
  }

  setQuality(quality: Quality): void {
    this.#adaptation.setQuality(quality);
  }

  resumeSound(): void {
    playWithSound(this.#options.elements.audio, this.store);
    this.#options.elements.video.play().catch(() => undefined);
  }

  /**
   * Gives the page's media elements up to the path taking over and plays the sound on an element of its
   * own until closed: what still comes through is heard while the next path starts (make before
   * break). Adapting stops, and with it any further failure: the owner has chosen.
   */
  handOver(): void {
    if (this.#closed || this.#handedOverSound) return;
    this.#adaptation.close();
    clearTimeout(this.#connectTimer);
    const { video, audio } = this.#options.elements;
    const sound = document.createElement('audio');
    sound.hidden = true;
    sound.dataset.testid = 'webrtc-handover';
    sound.muted = audio.muted;
    sound.srcObject = audio.srcObject;
    document.body.append(sound);
    this.#handedOverSound = sound;
    video.srcObject = audio.srcObject = null;
    sound.play().catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#adaptation.close();
    clearTimeout(this.#connectTimer);
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#receiver.close();
    if (this.#handedOverSound) {
      this.#handedOverSound.srcObject = null;
      this.#handedOverSound.remove();
    } else {
      const { video, audio } = this.#options.elements;
      video.srcObject = audio.srcObject = null;
    }
    this.store.clearListeners();
  }

  /** Audio only is the server's to apply: it pauses the video consumer, so no video crosses the link. */
  #applyMode(mode: PlaybackMode): void {
    const audioOnly = mode === 'audio';
    if (audioOnly === this.#audioOnlySent) return;
    this.#audioOnlySent = audioOnly;
    if (!audioOnly) {
      this.#rtpAdaptation.restartLow(performance.now());
      this.#requestLayer(this.#rtpAdaptation.layer);
    }
    this.#options.signalling.request('setAudioOnly', { audioOnly }).then(
      () => {
        if (audioOnly && this.#audioOnlySent) this.#rtpAdaptation.audioOnlyApplied(performance.now());
      },
      (error: unknown) => {
        console.warn('Could not switch audio only:', error);
        this.#audioOnlySent = !audioOnly;
      },
    );
  }

  /** A stream without simulcast has one layer: stepping down through layers it lacks would only waste time. */
  #limitLayers(): void {
    const [maxLayer, pinned] = layerLimit(this.#adaptation.quality);
    const available = (this.#receiver.videoSpatialLayers ?? TOP_SPATIAL_LAYER + 1) - 1;
    this.#rtpAdaptation.setLimit(Math.min(maxLayer, available), pinned);
  }

  #requestLayer(layer: number): void {
    this.#receiver.setPreferredLayer(layer).catch((error: unknown) => {
      console.warn('Could not change the video layer:', error);
    });
  }

  #onOutput({ audioTrack, videoTrack, receivingLayer }: ReceiverOutput): void {
    this.#receivingLayer = receivingLayer;
    this.#limitLayers();
    if (this.#handedOverSound) {
      if (attach(this.#handedOverSound, audioTrack)) this.#handedOverSound.play().catch(() => undefined);
      return;
    }
    const { video, audio } = this.#options.elements;
    if (attach(audio, audioTrack) && audioTrack) playWithSound(audio, this.store);
    // Muted: its sound comes from the audio element, and muted video may autoplay.
    video.muted = true;
    if (attach(video, videoTrack) && videoTrack) video.play().catch(() => undefined);
  }

  #onTransportStateChange(state: types.ConnectionState): void {
    if (state === 'connected') {
      this.#connected = true;
      clearTimeout(this.#connectTimer);
      this.store.update({ started: true, trouble: false });
    } else if (state === 'disconnected') {
      this.store.update({ trouble: true });
      clearTimeout(this.#connectTimer);
      this.#connectTimer = setTimeout(() => this.#options.onFailure('connection lost'), DISCONNECTED_GRACE_MS);
    } else if (state === 'failed') {
      this.#options.onFailure(this.#connected ? 'connection lost' : 'cannot connect');
    }
  }

  async #sampleStats(): Promise<void> {
    let totals: RtpTotals;
    try {
      totals = readRtpTotals(await this.#receiver.getStats());
    } catch {
      return;
    }
    if (this.#closed) return;
    const last = this.#recentTotals.at(-1);
    const secondAgo = this.#recentTotals.at(-2);
    this.#recentTotals.push(totals);
    const previous = this.#recentTotals.length > HEALTH_WINDOW_SAMPLES ? this.#recentTotals.shift() : undefined;
    if (!previous || !last || !this.#connected) return;
    const now = performance.now();
    this.#adaptation.measure(now);
    const health = rtpHealth(previous, totals);
    const recent = rtpHealth(last, totals);
    const mode = this.#adaptation.mode;
    const decision = this.#rtpAdaptation.observe(now, {
      health,
      recent,
      lastSecond: secondAgo ? rtpHealth(secondAgo, totals) : null,
      videoScore: this.#videoScore,
      receivingLayer: this.#receivingLayer,
      mode,
      httpVerdict: this.#adaptation.assess(this.#videoNeedBps, now).verdict,
      videoNeedBps: this.#videoNeedBps,
    });
    if (decision.layer !== null) this.#requestLayer(decision.layer);
    this.#adaptation.observe(now, { verdict: decision.verdict, rule: 'webrtc', detail: webrtcDetail(health, recent, this.#receivingLayer) });
    if (decision.unhealthy) this.#options.onFailure('unhealthy');
    this.#learnVideoNeed(health, mode, decision.verdict);
    patchState(this.store, {
      rendition: mode === 'video' && totals.videoHeight ? `${totals.videoHeight}p` : null,
      linkQuality: this.#linkQuality(health, mode, decision.verdict),
    });
  }

  /**
   * A stream without simulcast layers (or a heavier lowest layer) needs more than the default guess:
   * the rate seen on a clean link at the lowest layer is what the way back to video must allow for.
   */
  #learnVideoNeed(health: RtpHealth, mode: PlaybackMode, verdict: LinkVerdict | null): void {
    const atLowest = this.#receivingLayer === 0 || this.#receiver.videoSpatialLayers === 1;
    if (mode === 'video' && verdict === 'marginal' && atLowest && health.videoBps > 0) {
      this.#videoNeedBps = Math.max(LOWEST_VIDEO_NEED_BPS, health.videoBps + health.audioBps);
    }
  }

  #linkQuality(health: RtpHealth, mode: PlaybackMode, verdict: LinkVerdict | null): LinkQuality {
    if (verdict === 'insufficient' || (health.audioLoss ?? 0) > 0.1) return 'very weak';
    if (mode === 'audio') return this.#adaptation.linkQuality(this.#videoNeedBps, AUDIO_NEED_BPS);
    return (this.#receivingLayer ?? 0) >= 1 ? 'good' : 'fair';
  }
}

/** The figures a mode change over WebRTC weighed, for reading a run afterwards. */
function webrtcDetail(health: RtpHealth, recent: RtpHealth, receivingLayer: number | null): string {
  const percent = (fraction: number | null) => (fraction === null ? '?' : `${Math.round(fraction * 100)} %`);
  return (
    `sound loss ${percent(health.audioLoss)} in ${HEALTH_WINDOW_SAMPLES * STATS_INTERVAL_MS / 1000} s, ` +
    `video loss ${percent(recent.videoLoss)} of ${recent.videoPacketsDue} in the last ${STATS_INTERVAL_MS} ms, ` +
    `round trip ${health.roundTripSeconds ?? '?'} s, video layer ${receivingLayer ?? '?'}`
  );
}

/** Auto asks for the top layer; the server still steps down by itself when its estimate says so. */
function preferredLayer(quality: Quality): number {
  return quality === 'auto' ? TOP_SPATIAL_LAYER : LAYER_BY_QUALITY[quality];
}

function layerLimit(quality: Quality): [maxLayer: number, pinned: boolean] {
  return [preferredLayer(quality), quality !== 'auto'];
}

/** Returns whether the element's source changed. */
function attach(element: HTMLMediaElement, track: MediaStreamTrack | null): boolean {
  const current = element.srcObject instanceof MediaStream ? element.srcObject.getTracks()[0] : undefined;
  if ((current ?? null) === track) return false;
  element.srcObject = track ? new MediaStream([track]) : null;
  return true;
}
