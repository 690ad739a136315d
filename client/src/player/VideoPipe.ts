import type Hls from 'hls.js';
import type {
  ErrorData,
  Fragment,
  FragmentLoaderContext,
  HlsConfig,
  LevelUpdatedData,
  LoaderContext,
  LoaderStats,
  LoadPolicy,
  PlaylistLoaderContext,
} from 'hls.js';
import { Emitter } from './Emitter';
import { pathwayLoader } from './pathwayLoader';
import type { Pathways } from './Pathways';
import { bufferedCovers, type EventTimeline, type Pipe, type PipeEvents } from './Pipe';
import type { Quality } from './Playback';
import type { TransferMeter } from './TransferMeter';
import type { FragmentLoad } from './videoOutlook';
import { WindowTimeline } from './windowTimeline';


/** Same as the audio pipe: no new segment for this many target durations means the source stopped. */
const IDLE_AFTER_TARGETS = 3;

/**
 * With a mirror to go to, a playlist or fragment whose answer has not begun after this long is given up
 * on its host, and asked of the next pathway (see `failoverPolicies`, pathwayLoader). The answer's start
 * only: a slow link that brings the bytes slowly keeps hls.js's own patience for the rest of a load.
 */
const FAILOVER_FIRST_BYTE_MS = 3_000;

export interface VideoPipeOptions {
  live: boolean;
  /** In event time (see WindowTimeline); null for hls.js's choice, the live sync point or the beginning. */
  startPosition: number | null;
  /** Our own estimate, so hls.js starts on the right rung instead of assuming 500 kbps. */
  estimateBps: number | null;
  quality: Quality;
  /**
   * The page's pathways: every request of hls.js goes where they say, and to the next when its host fails
   * (pathwayLoader). With mirrors (as the pathways know when the pipe opens) a request that brings nothing
   * is given up on its host sooner (FAILOVER_FIRST_BYTE_MS).
   */
  pathways: Pathways;
}

let library: Promise<typeof Hls> | null = null;

/** hls.js (light build, ~117 KB gzip) is fetched only when a video rung is first wanted. */
function loadHls(): Promise<typeof Hls> {
  library ??= import('hls.js/light').then((module) => module.default);
  return library;
}

/**
 * Tuned for links that collapse: a low starting guess, quick to step down (0.8 of the estimate may be
 * used, and a fragment that would starve the buffer for 2 s is abandoned), slow to step up (0.5).
 */
/** The fragment hls.js loads now (it loads one at a time on the main stream), as its loader sees it. */
interface FragmentInFlight {
  frag: Fragment;
  stats: LoaderStats;
  /** hls.js marks the end of successful loads only. */
  failed: () => boolean;
}

function tunedConfig(
  Hls: typeof import('hls.js').default,
  meter: TransferMeter,
  options: VideoPipeOptions,
  timeline: WindowTimeline,
  onFragment: (loading: FragmentInFlight) => void,
): Partial<HlsConfig> {
  const { alternatives } = options.pathways;
  const PathwayLoader = pathwayLoader(Hls.DefaultConfig.loader, options.pathways);
  type LoadArguments = Parameters<InstanceType<typeof PathwayLoader>['load']>;
  class MeteredLoader extends PathwayLoader {
    override load(context: LoadArguments[0], config: LoadArguments[1], callbacks: LoadArguments[2]): void {
      // hls.js marks the end of successful loads only: a failed one ends when it failed, and must not
      // look like it is still running (nor count the time since as time in which nothing arrived).
      let failedAt = 0;
      const fail = () => {
        failedAt ||= performance.now();
      };
      const { stats } = this;
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response, ...rest) => {
          // Before hls.js parses it: the first rung playlist says where the pipe starts (WindowTimeline).
          const { data } = response;
          const adopted = isRungPlaylist(context) && typeof data === 'string' ? { ...response, data: timeline.adopt(data) } : response;
          callbacks.onSuccess(adopted, ...rest);
        },
        onError: (...args) => {
          fail();
          callbacks.onError(...args);
        },
        onTimeout: (...args) => {
          fail();
          callbacks.onTimeout(...args);
        },
        onAbort: (...args) => {
          fail();
          callbacks.onAbort?.(...args);
        },
      });
      const { frag } = context as Partial<FragmentLoaderContext>;
      if (frag) onFragment({ frag, stats, failed: () => failedAt > 0 });
      const { loading } = stats;
      meter.track(
        {
          loading: {
            get start() {
              return loading.start;
            },
            get first() {
              return loading.first;
            },
            get end() {
              return loading.end || failedAt;
            },
          },
          get loaded() {
            return stats.loaded;
          },
          get aborted() {
            return failedAt > 0 || stats.aborted;
          },
        },
        // With a mirror to go to, a silence is the host's until the loader gives up on it and asks the
        // mirror; counted as the link's before that, a blackholed origin would read as a dead link and
        // take video away (a video pipe opening, its master unanswered, was closed before it moved on).
        alternatives ? FAILOVER_FIRST_BYTE_MS : undefined,
      );
    }
  }
  return {
    loader: MeteredLoader,
    // The page's pathways steer every request (pathwayLoader): hls.js's own content steering would steer
    // the rungs by its own rules instead, and read the steering manifest a second time.
    contentSteeringController: undefined,
    // The start is given in the first rung playlist instead, on hls.js's timeline (WindowTimeline).
    startPosition: -1,
    // A page that loaded over a fast local network says little about the mobile link: capped as hls.js caps it.
    abrEwmaDefaultEstimate: Math.min(options.estimateBps ?? 150_000, 5_000_000),
    abrEwmaFastLive: 2,
    abrEwmaSlowLive: 6,
    abrEwmaFastVoD: 2,
    abrEwmaSlowVoD: 6,
    abrBandWidthFactor: 0.8,
    abrBandWidthUpFactor: 0.5,
    maxStarvationDelay: 2,
    maxLoadingDelay: 2,
    // A phone's small screen never needs the 720p rung.
    capLevelToPlayerSize: true,
    maxBufferLength: options.live ? 10 : 20,
    backBufferLength: 10,
    liveSyncDurationCount: 3,
    startFragPrefetch: true,
    ...(alternatives && failoverPolicies(Hls.DefaultConfig)),
  };
}

/** A media playlist of one rung (not the master, nor a segment or the steering manifest). */
function isRungPlaylist(context: LoaderContext): boolean {
  return (context as Partial<PlaylistLoaderContext>).type === ('level' as PlaylistLoaderContext['type']);
}

/**
 * Load policies that give a host up quickly when another pathway may answer: the first byte is awaited
 * for FAILOVER_FIRST_BYTE_MS and a timeout is not tried again on the same host (hls.js's default waits
 * 10 s, and tries twice more for a playlist, four times for a fragment; for the master, 20 s three
 * times): the loader asks the next pathway instead (pathwayLoader). Errors keep their retries (a refused
 * request is not retried anyway).
 */
function failoverPolicies(defaults: HlsConfig): Pick<HlsConfig, 'manifestLoadPolicy' | 'playlistLoadPolicy' | 'fragLoadPolicy'> {
  const failFast = ({ default: policy }: LoadPolicy): LoadPolicy => ({
    default: { ...policy, maxTimeToFirstByteMs: FAILOVER_FIRST_BYTE_MS, timeoutRetry: null },
  });
  return {
    manifestLoadPolicy: failFast(defaults.manifestLoadPolicy),
    playlistLoadPolicy: failFast(defaults.playlistLoadPolicy),
    fragLoadPolicy: failFast(defaults.fragLoadPolicy),
  };
}

/**
 * The muxed video rungs of the master playlist through hls.js, which keeps only those: when some variants
 * signal a video codec or a resolution, its level controller drops the audio-only ones.
 */
export class VideoPipe extends Emitter<PipeEvents> implements Pipe {
  readonly mode = 'video' as const;
  readonly element: HTMLMediaElement;
  readonly timeline: EventTimeline;
  readonly #hls: Hls;
  readonly #windowTimeline: WindowTimeline;
  readonly #live: boolean;
  readonly #pathways: Pathways;
  #quality: Quality;
  readonly #fragment: { current: FragmentInFlight | null };
  #startTime: number | null = null;
  #lastEndSn = -1;
  #grownAt = performance.now();
  #idle = false;
  #closed = false;

  static async open(
    element: HTMLMediaElement,
    masterUrl: string,
    meter: TransferMeter,
    options: VideoPipeOptions,
  ): Promise<VideoPipe> {
    const Hls = await loadHls();
    const timeline = new WindowTimeline(options.startPosition);
    const fragment: { current: FragmentInFlight | null } = { current: null };
    const hls = new Hls(tunedConfig(Hls, meter, options, timeline, (loading) => (fragment.current = loading)));
    return new VideoPipe(hls, element, masterUrl, options, timeline, fragment);
  }

  private constructor(
    hls: Hls,
    element: HTMLMediaElement,
    masterUrl: string,
    options: VideoPipeOptions,
    timeline: WindowTimeline,
    fragment: { current: FragmentInFlight | null },
  ) {
    super();
    this.#hls = hls;
    this.#fragment = fragment;
    this.element = element;
    this.#windowTimeline = timeline;
    this.timeline = timeline.view(element);
    this.#live = options.live;
    this.#pathways = options.pathways;
    this.#quality = options.quality;
    const { Events, ErrorTypes } = hls.constructor as typeof Hls;
    hls.on(Events.MANIFEST_PARSED, () => this.#applyQuality());
    hls.on(Events.FRAG_BUFFERED, (_event, { frag }) => {
      this.#startTime ??= frag.start;
      this.emit('buffered');
    });
    hls.on(Events.LEVEL_SWITCHED, (_event, { level }) => {
      const height = hls.levels[level]?.height;
      this.emit('rendition', height ? `${height}p` : null);
    });
    hls.on(Events.LEVEL_UPDATED, (_event, data) => this.#onLevelUpdated(data));
    hls.on(Events.ERROR, (_event, data) => this.#onError(data, ErrorTypes));
    // The master's address on the origin: the loader fetches it, as every file, where the pathways say.
    hls.loadSource(masterUrl);
    hls.attachMedia(element);
  }

  /** hls.js's fragment times are on its own timeline: the first fragment was buffered, so the offset is known. */
  get startTime(): number | null {
    return this.#startTime === null ? null : this.#startTime + this.#windowTimeline.offset;
  }

  covers(time: number): boolean {
    return bufferedCovers(this.timeline, time);
  }

  /** The fragment being loaded, sized for the emergency switch (videoOutlook); null when none is. */
  fragmentLoad(): FragmentLoad | null {
    const loading = this.#fragment.current;
    if (loading === null) return null;
    const { frag, stats, failed } = loading;
    const { levels } = this.#hls;
    const rung = levels[frag.level];
    const lowest = levels[0];
    if (failed() || stats.aborted || stats.loading.start === 0 || stats.loading.end > 0 || !rung || !lowest) return null;
    return {
      startMs: stats.loading.start,
      firstByteMs: stats.loading.first,
      loadedBytes: stats.loaded,
      totalBytes: stats.total > 0 ? stats.total : (rung.bitrate * frag.duration) / 8,
      lowestRungBytes: (lowest.bitrate * frag.duration) / 8,
      silenceAllowanceMs: this.#pathways.alternatives ? FAILOVER_FIRST_BYTE_MS : 0,
    };
  }

  setQuality(quality: Quality): void {
    this.#quality = quality;
    this.#applyQuality();
  }

  stopLoading(): void {
    this.#hls.stopLoad();
  }

  resumeLoading(): void {
    this.#hls.startLoad(this.element.currentTime, true);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hls.destroy();
    this.element.removeAttribute('src');
    this.element.load();
    this.removeAllListeners();
  }

  /** Rungs are ordered by bandwidth, lowest first: low, medium and high are the first, second and last. */
  #applyQuality(): void {
    const count = this.#hls.levels.length;
    if (count === 0) return;
    const index = { auto: -1, low: 0, medium: Math.min(1, count - 1), high: count - 1 }[this.#quality];
    // loadLevel switches from the next fragment on, without throwing away what is buffered.
    this.#hls.loadLevel = index;
  }

  #onLevelUpdated({ details }: LevelUpdatedData): void {
    if (!this.#live) return;
    const now = performance.now();
    if (details.endSN !== this.#lastEndSn) {
      this.#lastEndSn = details.endSN;
      this.#grownAt = now;
    }
    const idle = details.live && now - this.#grownAt > details.targetduration * 1000 * IDLE_AFTER_TARGETS;
    if (idle !== this.#idle) {
      this.#idle = idle;
      this.emit('idle', idle);
    }
  }

  #onError(data: ErrorData, types: typeof Hls.ErrorTypes): void {
    if (!data.fatal) return;
    if (data.type === types.MEDIA_ERROR) {
      this.#hls.recoverMediaError();
      return;
    }
    this.emit('failed', data.details);
  }
}
