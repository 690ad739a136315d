import { SEGMENT_SECONDS, peakBandwidth, speechRung, type AudioRung } from '../../../shared/ladder';
import { recordingUrls } from '../../../shared/recordingLayout';
import { StateStore } from '../lib/StateStore';
import { Adaptation, type AdaptationStart } from './Adaptation';
import { AudioPipe, type AudioSource } from './AudioPipe';
import type { BootAudio } from './BootAudio';
import { chooseAudioRung } from './audioRungChoice';
import { eventPathways, fetchOnPathways } from './pathwayFetch';
import type { Pathways } from './Pathways';
import { parseLadder, type Ladder } from './MediaPlaylist';
import type { PlaybackMode } from './ModeController';
import { bufferedAhead, bufferedStartAfter, type EventTimeline, type Pipe } from './Pipe';
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
import { VideoPipe } from './VideoPipe';
import { videoVerdict } from './videoOutlook';

const TICK_MS = 500;
const REOPEN_DELAY_MS = 2_000;
/**
 * An incoming video pipe starts this far ahead of the sound playing now: about what loading its first
 * segment takes, so it is ready as the playhead arrives rather than one segment behind it.
 */
const VIDEO_LEAD_SECONDS = 2;
const HANDOVER_CUSHION_SECONDS = 2;
/**
 * Video taking over from the sound is first made ready this far ahead of the sound's playhead: a seek
 * decodes from the segment's keyframe, and a video element played at once after it stood still while
 * the sound had stopped (0.3-0.5 s at each return to video in bench:throttle, 2026-12-02).
 */
const PRIME_LEAD_SECONDS = 0.6;
/** The sound's playhead may be this far either side of the ready picture's when it takes over. */
const PRIME_SLACK_SECONDS = 0.1;
/**
 * Live sound with less than SLOW_BELOW_SECONDS buffered plays at SLOW_PLAYOUT_RATE (the pitch kept, as
 * browsers keep it by default) until it holds NORMAL_ABOVE_SECONDS again. On a link that brings the
 * speech barely faster than it plays (30 kbps at 800 ms round trips: each segment arrives 4-9 s after it
 * was written, bench:throttle's EDGE profile), the sound otherwise ran dry every 10-15 s for 2-3 s; a
 * tenth slower, it falls behind the live edge a second every ten instead, which is what lets the pipe
 * find segments to load ahead. A rally's listener loses nothing but a little latency.
 */
const SLOW_PLAYOUT_RATE = 0.9;
const SLOW_BELOW_SECONDS = 2;
const NORMAL_ABOVE_SECONDS = 4;
/** HTMLMediaElement.HAVE_FUTURE_DATA, which the pure decisions below read without a DOM. */
const HAVE_FUTURE_DATA = 3;
/** Between two looks at a picture still seeking. */
const PRIME_POLL_MS = 100;
/**
 * Going down to sound, the audio pipe starts at most this far ahead of the playhead: about what its
 * playlist and first two segments take on a collapsed link (40 kbps, 400 ms round trips; measured
 * 2026-12-02, a 3 s lead had the sound chase the playhead until the video ran dry), so it takes
 * over as soon as it holds a cushion instead of after the whole video buffer (with a buffer of 10-20 s
 * on a replay). On a live stream the buffer is shorter than this, and the sound starts where it ends.
 */
const AUDIO_LEAD_SECONDS = 5;
/** A stalled pipe may hand over this far ahead of where it stopped: a few words lost beat a long silence. */
const MAX_SKIP_SECONDS = 3;
/** The stage picture is fetched only while the audio pipe plays with this much buffered: the speech comes first. */
const POSTER_MIN_BUFFER_SECONDS = 6;
/** Between two nudges of an incoming pipe that fell behind: it needs time to load where it was sent. */
const STEER_INTERVAL_MS = 3_000;
/**
 * The reserve sound's playhead is moved to the video's once they are this far apart: often enough that
 * it buffers from where the listener is, rarely enough that its paused element is not seeking all along.
 */
const RESERVE_DRIFT_SECONDS = 1;
/** Until the master playlist says otherwise. */
const ASSUMED_LADDER: Ladder = { videoNeedBps: ASSUMED_VIDEO_NEED_BPS, audioNeedBps: 40_000 };

export interface HlsPlaybackOptions extends AdaptationStart {
  slug: string;
  /** A live event (EVENT playlists that grow) rather than a finished recording. */
  live: boolean;
  /** False for a recording without video: there is only the audio rung to play. */
  hasVideo: boolean;
  elements: MediaElements;
  /** What is known of the link before the first segment, e.g. from the page's own download. */
  initialEstimateBps: number | null;
  /** The watch page's boot audio, playing (or about to) before the app loaded: the first audio pipe goes on from it. */
  boot?: BootAudio | null;
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
  /** Where this event's files are fetched from: the origin, or a mirror when it is blocked or steered away. */
  readonly #pathways: Pathways;
  readonly #adaptation: Adaptation;
  readonly #closing = new AbortController();
  #ladder: Ladder = ASSUMED_LADDER;
  #ladderKnown = false;
  #active: Pipe | null = null;
  #activeRendition: string | null = null;
  #incoming: Incoming | null = null;
  /**
   * While video plays live: the speech rung loading on the paused audio element alongside it (see
   * #keepReserve), so that a switch to sound finds it buffered. Null otherwise.
   */
  #reserve: AudioPipe | null = null;
  /** When the reserve failed last: it is opened again after REOPEN_DELAY_MS. */
  #reserveFailedAt = -Infinity;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;
  /** The next look at an incoming video made ready ahead of the sound (see primeStep). */
  #primeTimer: ReturnType<typeof setTimeout> | undefined;
  #steeredAt = 0;
  /** Where to resume when a pipe failed and none is left playing. */
  #resumeAt: number | null = null;
  /**
   * The speech rung is played live only: a recording finished before it existed has none, and a
   * replay is no worse for the AAC rung (nothing is missed while it buffers).
   */
  readonly #speechPlayable: boolean;

  constructor(options: HlsPlaybackOptions) {
    this.#options = options;
    this.#urls = recordingUrls(options.slug);
    this.#pathways = eventPathways(options.slug);
    this.#speechPlayable = options.live && MediaSource.isTypeSupported(speechRung.mimeType);
    this.#adaptation = new Adaptation(
      {
        ...options,
        store: this.store,
        monitorIntervalMs: TICK_MS,
        // The sound fetches a segment every SEGMENT_SECONDS, or none for a while when it holds some ahead
        // (the slower playout builds a few): flapping in bench:throttle ended an up-hold begun in a good
        // phase 3 s into a low one, before any transfer there, and video came back for a second.
        estimateFreshForMs: SEGMENT_SECONDS * 500,
        learnDuringDataSaver: true,
        posterUrl: this.#urls.poster,
        pathways: this.#pathways,
        refreshPoster: options.live,
        // The sound's own pipe, not the video still playing out its buffer during a switch to sound: the
        // incoming audio pipe needs the whole link then (an 11 KB picture is 2 s of a 40 kbps link).
        // The first picture waits only for the first sound (or video) to play, as a live sound may never
        // hold that much ahead; before it, on a link WebRTC just failed, it would delay the speech by seconds.
        posterLinkIsFree: () => {
          const active = this.#active;
          if (active === null) return false;
          return this.store.get().posterUrl === null || (active.mode === 'audio' && bufferedAhead(active.element) >= POSTER_MIN_BUFFER_SECONDS);
        },
      },
      {
        applyMode: (mode) => this.#applyMode(mode),
        applyQuality: (quality) => {
          for (const pipe of [this.#active, this.#incoming?.pipe]) if (pipe instanceof VideoPipe) pipe.setQuality(quality);
        },
        monitor: () => this.#tick(),
        playingMode: () => this.#active?.mode ?? null,
      },
    );
    for (const element of [options.elements.video, options.elements.audio]) {
      element.addEventListener('seeking', this.#onSeeking);
      element.addEventListener('ended', this.#onEnded);
    }
    if (options.boot) this.#continueBoot(options.boot);
    void this.#loadLadder();
    this.#adaptation.start();
  }

  setDataSaver(on: boolean): void {
    this.#adaptation.setDataSaver(on);
  }

  setQuality(quality: Quality): void {
    this.#adaptation.setQuality(quality);
  }

  resumeSound(): void {
    if (this.#active) playWithSound(this.#active.element, this.store);
  }

  close(): void {
    this.#closing.abort();
    this.#adaptation.close();
    clearTimeout(this.#reopenTimer);
    clearTimeout(this.#primeTimer);
    for (const element of [this.#options.elements.video, this.#options.elements.audio]) {
      element.removeEventListener('seeking', this.#onSeeking);
      element.removeEventListener('ended', this.#onEnded);
    }
    this.#incoming?.pipe?.close();
    this.#incoming = null;
    this.#reserve?.close();
    this.#reserve = null;
    this.#active?.close();
    this.#active = null;
    this.store.clearListeners();
  }

  get #closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** The thresholds come from the master playlist; it may not exist yet when an event has just begun. */
  async #loadLadder(): Promise<void> {
    for (let attempt = 1; !this.#closed && !this.#ladderKnown; attempt++) {
      try {
        const { body } = await fetchOnPathways(this.#pathways, this.#urls.master, this.#adaptation.meter, { signal: this.#closing.signal });
        this.#ladder = parseLadder(new TextDecoder().decode(body));
        this.#ladderKnown = true;
        if (this.#ladder.videoNeedBps === null) this.#adaptation.setNoVideo();
        else this.#adaptation.apply();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(8, attempt) * 1_000));
      }
    }
  }

  #applyMode(mode: PlaybackMode): void {
    if (this.#incoming?.mode === mode) return;
    this.#incoming?.pipe?.close();
    this.#incoming = null;
    if (this.#active?.mode === mode) {
      this.#active.resumeLoading();
      return;
    }
    this.#open(mode);
  }

  #open(mode: PlaybackMode): void {
    const active = this.#active;
    const incoming: Incoming = { mode, pipe: null };
    this.#incoming = incoming;
    const { live, elements } = this.#options;
    const { meter } = this.#adaptation;
    // Going down for the link's sake, the video is what starves it: stop fetching it and let its buffer
    // play out (see incomingStart).
    if (mode === 'audio') active?.stopLoading();
    const startPosition = incomingStart(mode, active?.timeline ?? null, this.#resumeAt, this.#adaptation.dataSaver);
    if (mode === 'audio') {
      const reserve = this.#reserve;
      this.#reserve = null;
      incoming.pipe = reserve ?? this.#listen(new AudioPipe(elements.audio, this.#audioSource(null), meter, { live, startPosition, pathways: this.#pathways }));
      // The reserve holds the sound from the playhead on: it takes over now, not after its next segment.
      if (reserve) this.#tryCutover();
      return;
    }
    // Live, hls.js follows the rungs' windows, whose every load is a few hundred bytes whatever the hour.
    VideoPipe.open(elements.video, live ? this.#urls.liveMaster : this.#urls.master, meter, {
      live,
      startPosition,
      estimateBps: this.#adaptation.cautiousBps ?? this.#options.initialEstimateBps,
      quality: this.#adaptation.quality,
      pathways: this.#pathways,
    }).then(
      (pipe) => {
        if (this.#incoming === incoming) incoming.pipe = this.#listen(pipe);
        else pipe.close();
      },
      () => {
        // hls.js itself could not be downloaded: try again in a while.
        if (this.#incoming === incoming) this.#dropIncoming();
      },
    );
  }

  /** Follows what `pipe` reports, whichever role (active, incoming, reserve) it has when it does. */
  #listen<P extends Pipe>(pipe: P): P {
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
      else if ((pipe as Pipe) === this.#reserve) this.#reserveFailed();
    });
    return pipe;
  }

  /** Hands playback to the incoming pipe once it can play the moment the active one is at. */
  #tryCutover(): void {
    const pipe = this.#incoming?.pipe;
    if (!pipe) return;
    const active = this.#active;
    const from = active?.timeline.currentTime ?? firstPosition(pipe);
    if (from === null) return;
    const oldStillPlays = active !== null && active.element.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA;
    const position = cutoverPosition(pipe, from, oldStillPlays);
    if (position === null) return;
    if (!oldStillPlays || pipe.mode === 'audio') {
      this.#activate(pipe, position, true);
      return;
    }
    // Sound plays on while the picture is made ready where it is about to be: see primeStep.
    const { seeking, readyState } = pipe.element;
    const step = primeStep({ currentTime: pipe.timeline.currentTime, seeking, readyState }, position);
    clearTimeout(this.#primeTimer);
    if (step.action === 'seek') pipe.timeline.currentTime = step.to;
    if (step.action === 'swap') this.#activate(pipe, pipe.timeline.currentTime, true);
    else this.#primeTimer = setTimeout(() => this.#tryCutover(), step.action === 'wait' ? step.ms : PRIME_POLL_MS);
  }

  /**
   * The watch page's boot audio becomes the first audio pipe. Already playing, it is the active pipe at
   * once (no seek, no new play: not a sample is lost), and the mode the link allows is applied from it as
   * from any pipe: video, when the boot's downloads measured a link for it, comes make-before-break.
   */
  #continueBoot(boot: BootAudio): void {
    // Read before the pipe takes the boot over, which it begins at once: a boot taken over no longer
    // plays on its own. (Read after, a playing boot waited for a cutover, which went by the playhead
    // alone: one stalled at the time was sent back to the start of its buffer.)
    const playing = boot.playing;
    const incoming: Incoming = { mode: 'audio', pipe: null };
    this.#incoming = incoming;
    const { live } = this.#options;
    const pipe = this.#listen(new AudioPipe(boot.element, this.#sourceFor(boot.rung), this.#adaptation.meter, { live, startPosition: null, boot, pathways: this.#pathways }));
    incoming.pipe = pipe;
    this.store.update({ soundBlocked: boot.soundBlocked });
    if (playing) this.#activate(pipe, pipe.timeline.currentTime, false);
  }

  /** Makes `pipe` the one playing, from `position`, and closes the one it replaces. */
  #activate(pipe: Pipe, position: number, play: boolean): void {
    const previous = this.#active;
    this.#active = pipe;
    this.#incoming = null;
    this.#resumeAt = null;
    if (Math.abs(pipe.timeline.currentTime - position) > 0.1) pipe.timeline.currentTime = position;
    if (play) playWithSound(pipe.element, this.store);
    if (previous) {
      previous.element.pause();
      // The sound that played until video took over is the reserve: what it buffered ahead is kept.
      if (previous instanceof AudioPipe && this.#reserveWanted() && this.#reserve === null) {
        this.#reserve = previous;
        previous.setSource(this.#reserveSource());
      }
      if (previous !== this.#reserve) previous.close();
    }
    this.#adaptation.publishMode();
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
    if (!pipe || !active) return;
    const target = steerTarget(nowMs, this.#steeredAt, pipe, active.timeline.currentTime);
    if (target === null) return;
    this.#steeredAt = nowMs;
    pipe.timeline.currentTime = target;
  }

  /**
   * Keeps the reserve sound while video plays live. A link that collapses under video leaves seconds,
   * not the many a fresh audio pipe needs on it (its playlist and first segments took 5-8 s at 400-800 ms
   * round trips, and the switch came after the video had run dry: bench:throttle of 2026-12-02). The
   * reserve costs the speech rung's 16 kbps, a few per cent of the lowest video rung, and spends it on
   * segments already there when the link fails: the switch to sound is a cutover, nothing to load.
   */
  #keepReserve(nowMs: number): void {
    const video = this.#active;
    if (!this.#reserveWanted()) {
      this.#closeReserve();
      return;
    }
    // Between a failed video pipe and its successor the reserve waits: the next one plays from there.
    if (!(video instanceof VideoPipe)) return;
    const playhead = video.timeline.currentTime;
    if (this.#reserve === null) {
      if (nowMs - this.#reserveFailedAt < REOPEN_DELAY_MS || playhead === 0) return;
      const { elements, live } = this.#options;
      const source = this.#reserveSource();
      this.#reserve = this.#listen(new AudioPipe(elements.audio, source, this.#adaptation.meter, { live, startPosition: playhead, pathways: this.#pathways }));
      return;
    }
    // Its element stays paused: the video's playhead is where it must hold sound from.
    const target = reserveTarget(this.#reserve.timeline, playhead);
    if (target !== null) this.#reserve.timeline.currentTime = target;
  }

  /** Live only: a replay buffers its video far ahead, and has time to load sound when it must. */
  #reserveWanted(): boolean {
    return this.#options.live && !this.#adaptation.dataSaver && this.#adaptation.mode === 'video';
  }

  /** The reserve sound is insurance against a failing link: the lightest rung that plays. */
  #reserveSource(): AudioSource {
    return this.#sourceFor(
      chooseAudioRung({ current: null, estimateBps: null, linkFailedVideo: true, opusPlayable: this.#speechPlayable, dataSaver: false }),
    );
  }

  /** Closes the reserve, no longer wanted; a failed one is retried only after a delay (#reserveFailed). */
  #closeReserve(): void {
    this.#reserve?.close();
    this.#reserve = null;
  }

  #reserveFailed(): void {
    this.#closeReserve();
    this.#reserveFailedAt = performance.now();
  }

  /** The audio rung for the link as measured now, given the one playing. */
  #audioSource(current: AudioRung | null): AudioSource {
    return this.#sourceFor(
      chooseAudioRung({
        current,
        estimateBps: this.#adaptation.cautiousBps ?? this.#options.initialEstimateBps,
        // Wanted for a slow link, or still playing for one: while video comes back make-before-break the
        // sound plays on for a link that failed video, and changing its rung then (to AAC and, when the
        // return failed, back) stopped the sound for good in a flapping run (2026-12-02).
        linkFailedVideo: [this.#adaptation.audioOnlyReason, this.store.get().audioOnlyReason].includes('slow connection'),
        opusPlayable: this.#speechPlayable,
        dataSaver: this.#adaptation.dataSaver,
      }),
    );
  }

  /** A live event is followed through its rung's small window playlist; the whole one serves rewinds and replays. */
  #sourceFor(rung: AudioRung): AudioSource {
    const [whole, window] = rung === speechRung ? [this.#urls.speech, this.#urls.liveSpeech] : [this.#urls.audioOnly, this.#urls.liveAudioOnly];
    return { rung, playlists: { whole, window: this.#options.live ? window : null } };
  }

  #reopenActive(): void {
    const failed = this.#active;
    if (!failed) return;
    this.#resumeAt = failed.timeline.currentTime;
    failed.close();
    this.#active = null;
    this.store.update({ trouble: true });
    this.#reopenTimer = setTimeout(() => this.#adaptation.apply(), REOPEN_DELAY_MS);
  }

  #dropIncoming(): void {
    this.#incoming?.pipe?.close();
    this.#incoming = null;
    this.#active?.resumeLoading();
    this.#reopenTimer = setTimeout(() => this.#adaptation.apply(), REOPEN_DELAY_MS);
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
    this.#adaptation.measure(now);
    if (this.#ladderKnown && this.#ladder.videoNeedBps !== null) {
      const estimate = this.#adaptation.assess(this.#ladder.videoNeedBps, now);
      const active = this.#active;
      // While video plays, its buffer ahead decides as much as the estimate: see videoVerdict.
      this.#adaptation.observe(
        now,
        active instanceof VideoPipe
          ? videoVerdict(estimate, {
              nowMs: now,
              bufferAheadSeconds: bufferedAhead(active.element),
              fragment: active.fragmentLoad(),
              linkBps: this.#adaptation.fastBps,
              videoNeedBps: this.#ladder.videoNeedBps,
              soundReady: this.#reserve !== null && cutoverPosition(this.#reserve, active.timeline.currentTime, true) !== null,
            })
          : estimate,
      );
    }
    for (const pipe of [this.#active, this.#incoming?.pipe]) {
      if (pipe instanceof AudioPipe) pipe.setSource(this.#audioSource(pipe.rung));
    }
    this.#tryCutover();
    this.#steer(now);
    this.#keepReserve(now);
    if (this.#active instanceof AudioPipe && this.#options.live) {
      const { element } = this.#active;
      const rate = playoutRate(element.playbackRate, bufferedAhead(element));
      if (rate !== element.playbackRate) element.playbackRate = rate;
    }
    const element = this.#active?.element;
    const position = this.#active?.timeline.currentTime ?? 0;
    patchState(this.store, {
      linkQuality: this.#adaptation.linkQuality(
        this.#ladder.videoNeedBps ?? ASSUMED_VIDEO_NEED_BPS,
        this.#speechPlayable ? peakBandwidth(speechRung.audioKbps) : this.#ladder.audioNeedBps,
      ),
      stalled: element !== undefined && !element.paused && !element.ended && element.readyState < HTMLMediaElement.HAVE_FUTURE_DATA,
      position: Math.floor(position),
    });
  }
}

/** What the decisions below read of a pipe, all in event time; tests give plain objects. */
type PipeView = Pick<Pipe, 'covers' | 'startTime' | 'timeline'>;

/**
 * Where an incoming pipe begins buffering: ahead of the playing video by what its first segment takes
 * to load, or, going down to sound, ahead of the playhead by what the sound's first segments take
 * (short of where the video buffer ends), so the video plays on while the sound loads and the sound
 * takes over with seconds in hand, nothing heard twice (unless the attendee chose audio only: they want
 * the picture gone now). With nothing playing, where the failed pipe stopped (null: near the live edge,
 * or the beginning).
 */
export function incomingStart(
  mode: PlaybackMode,
  active: EventTimeline | null,
  resumeAt: number | null,
  dataSaver: boolean,
): number | null {
  if (active === null) return resumeAt;
  if (mode === 'video') return active.currentTime + VIDEO_LEAD_SECONDS;
  if (dataSaver) return active.currentTime;
  return Math.max(active.currentTime, Math.min(bufferedEnd(active) - 1, active.currentTime + AUDIO_LEAD_SECONDS));
}

/**
 * Where the incoming pipe may take over from `position`, or null when not yet. While the old pipe still
 * plays, only with a cushion: a new pipe holding a fraction of a second would stall at once. A stalled
 * old pipe hands over as soon as the new one can play at all, even a little further on (the old one may
 * have stopped short of its buffer's end, at a gap).
 */
export function cutoverPosition(incoming: PipeView, position: number, oldStillPlays: boolean): number | null {
  // Both ends: an incoming pipe that began buffering ahead of the playhead (the sound, from where the
  // video buffer ends) covers the cushion's end before it covers the playhead, and cut over there it
  // would have to fetch what it skipped, the listener waiting.
  if (oldStillPlays) return incoming.covers(position) && incoming.covers(position + HANDOVER_CUSHION_SECONDS) ? position : null;
  if (incoming.covers(position)) return position;
  const next = bufferedStartAfter(incoming.timeline, position);
  if (next === null || next - position > MAX_SKIP_SECONDS || !incoming.covers(next)) return null;
  return next;
}

export type PrimeStep =
  | { action: 'seek'; to: number }
  | { action: 'poll' }
  /** The sound reaches the ready picture in `ms`. */
  | { action: 'wait'; ms: number }
  | { action: 'swap' };

/**
 * How the incoming (paused) video takes over from the sound playing at `position` without a stall: it is
 * seeked a little ahead of the sound, which plays on meanwhile; once it shows that frame and the sound
 * has reached it, the two swap. A picture the sound has overtaken, or far ahead, is seeked again.
 */
export function primeStep(video: Pick<HTMLMediaElement, 'currentTime' | 'seeking' | 'readyState'>, position: number): PrimeStep {
  // `currentTime` is event time, as `position` is (the video element's own may be offset from it).
  if (video.seeking) return { action: 'poll' };
  const lead = video.currentTime - position;
  if (lead < -PRIME_SLACK_SECONDS || lead > PRIME_LEAD_SECONDS + PRIME_SLACK_SECONDS) return { action: 'seek', to: position + PRIME_LEAD_SECONDS };
  if (video.readyState < HAVE_FUTURE_DATA) return { action: 'poll' };
  if (lead <= PRIME_SLACK_SECONDS) return { action: 'swap' };
  return { action: 'wait', ms: (lead - PRIME_SLACK_SECONDS / 2) * 1000 };
}

/** The rate live sound plays at with `aheadSeconds` buffered, given the rate it plays at now (see SLOW_PLAYOUT_RATE). */
export function playoutRate(currentRate: number, aheadSeconds: number): number {
  if (aheadSeconds < SLOW_BELOW_SECONDS) return SLOW_PLAYOUT_RATE;
  if (aheadSeconds > NORMAL_ABOVE_SECONDS) return 1;
  return currentRate;
}

/** With nothing playing yet: where hls.js placed a first start (the live sync point), else where the pipe began buffering. */
export function firstPosition(pipe: PipeView): number | null {
  const { currentTime } = pipe.timeline;
  return currentTime > 0 && pipe.covers(currentTime) ? currentTime : pipe.startTime;
}

/**
 * Where to send an incoming pipe that fell behind the playing `position`, or null to leave it be. A pipe
 * that has buffered nothing yet is left alone: it is loading where it was sent, its playhead has not been
 * placed (a fresh element sits at 0), and a seek would throw away the segment under way, on a slow link
 * again and again, so that it never takes over.
 */
export function steerTarget(
  nowMs: number,
  steeredAtMs: number,
  incoming: PipeView & Pick<Pipe, 'mode'>,
  position: number,
): number | null {
  if (nowMs - steeredAtMs < STEER_INTERVAL_MS || incoming.timeline.buffered.length === 0) return null;
  if (incoming.covers(position) || incoming.timeline.currentTime >= position - 0.5) return null;
  return position + (incoming.mode === 'video' ? VIDEO_LEAD_SECONDS : 0);
}

function bufferedEnd(timeline: EventTimeline): number {
  const { buffered } = timeline;
  return buffered.length > 0 ? buffered.end(buffered.length - 1) : timeline.currentTime;
}

/** Where to move the reserve's paused playhead to follow the video's, or null to leave it. */
export function reserveTarget(reserve: EventTimeline, videoPlayhead: number): number | null {
  return Math.abs(reserve.currentTime - videoPlayhead) > RESERVE_DRIFT_SECONDS ? videoPlayhead : null;
}
