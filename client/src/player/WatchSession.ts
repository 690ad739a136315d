import type { types } from 'mediasoup-client';
import type { PublicEvent } from '../../../shared/events';
import type { DeliveryMode, MediaKind, MediaResponse } from '../../../shared/signalling';
import { jittered } from '../lib/jittered';
import { ServiceError } from '../lib/ServiceError';
import { StateStore } from '../lib/StateStore';
import { MediaSignalling } from '../media/MediaSignalling';
import { takeBootAudio, type BootAudio } from './BootAudio';
import { fetchEventDescription } from './eventDescription';
import { VIDEO_UP_FACTOR } from './LinkAssessment';
import { browserHlsSupport, createHlsPlayback } from './NativeHlsPlayback';
import {
  ASSUMED_VIDEO_NEED_BPS,
  INITIAL_PLAYBACK_STATE,
  largestDownloadBps,
  type MediaElements,
  type Playback,
  type PlaybackState,
} from './Playback';
import { PlaybackOwner, type AttendeeChoices } from './PlaybackOwner';
import type { WebRtcFailure, WebRtcPlayback } from './WebRtcPlayback';

/** Shown to the attendee (translated), and read by tests as is. */
export type ConnectionState =
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'waiting for the event to start'
  | 'ended'
  | 'cancelled'
  | 'not found'
  | 'failed';

export type DeliveryPath = 'webrtc' | 'hls';

/** Why this attendee is on HLS rather than WebRTC. */
export type HlsReason = 'seats full' | WebRtcFailure | 'webrtc unavailable' | 'insecure page' | 'sound first' | 'server unreachable';

export interface WatchState extends PlaybackState, AttendeeChoices {
  connection: ConnectionState;
  event: PublicEvent | null;
  path: DeliveryPath | null;
  hlsReason: HlsReason | null;
  /** Live, but the organizer is not sending: their connection dropped and the broadcast will resume. */
  broadcastPaused: boolean;
  /** The browser cannot play live media at all. */
  unsupported: boolean;
  /**
   * The server's signalling has not been reached: the event is known from a mirror's description (the
   * page was loaded from a static mirror, or the server's host is blocked), played over HLS, without chat.
   */
  serverUnreachable: boolean;
}

const RETRY_DELAY_MS = 5_000;
/** While the server stays out of reach, its description is read again this often: the event may go live or end. */
const DESCRIPTION_RELOAD_MS = 10_000;

/**
 * An attendee's view of one event: follows its status over signalling and plays it while live, choosing
 * the delivery path. WebRTC when it connects and stays healthy (lowest latency); HLS when the server has
 * no WebRTC seat left, when WebRTC cannot connect, or when it stops carrying even the sound. A move to
 * HLS lasts for the session: HLS over TCP keeps playing through what made WebRTC fail.
 */
export class WatchSession extends PlaybackOwner<WatchState> {
  readonly store = new StateStore<WatchState>({
    ...INITIAL_PLAYBACK_STATE,
    connection: 'connecting',
    event: null,
    path: null,
    hlsReason: null,
    dataSaver: false,
    quality: 'auto',
    broadcastPaused: false,
    unsupported: false,
    serverUnreachable: false,
  });
  readonly #slug: string;
  readonly #signalling = new MediaSignalling();
  readonly #unsubscribes: Array<() => void>;
  /** The event's current producers and their kinds, kept while media is being set up so none announced meanwhile is missed. */
  #producers = new Map<string, MediaKind>();
  #joined: MediaResponse<'join'> | null = null;
  /** The server says the organizer's connection is lost and awaited (their producers may still be open). */
  #organizerAway = false;
  #webrtc: WebRtcPlayback | null = null;
  /** WebRTC's sound while HLS takes over from it: it plays on until HLS plays (make before break). */
  #outgoing: WebRtcPlayback | null = null;
  /** What the server was last told about how this attendee receives (it counts them by it). */
  #reported: DeliveryMode | null = null;
  /** Bumped on every teardown so that setup still in flight from before notices and gives up. */
  #generation = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The sound the watch page's boot script started before the app loaded, once this session took it:
   * HLS goes on from it; otherwise it plays until the chosen path has started, and then stops.
   */
  #boot: BootAudio | null = null;
  /** The event as a mirror's description gave it, while the server has not been joined. */
  #described: PublicEvent | null = null;
  #describeTimer: ReturnType<typeof setTimeout> | undefined;
  #describing = false;
  #closed = false;

  constructor(slug: string) {
    super();
    this.#slug = slug;
    const signalling = this.#signalling;
    this.#unsubscribes = [
      signalling.onConnect(() => void this.#join()),
      // Refused at once by a static mirror (no sockets there); after Socket.io's 20 s connect timeout by a
      // host that answers nothing. Only then: a slow link that is still connecting pays no extra request.
      // Once asked, the description is read again on its own timer, not at every reconnection attempt.
      signalling.onConnectFailed(() => {
        if (this.#describeTimer === undefined && !this.#describing) void this.#describeFromMirror();
      }),
      signalling.onDisconnect(() => {
        // HLS needs no signalling to keep playing; WebRTC loses its server-side state with the socket.
        if (this.store.get().path === 'webrtc') {
          this.stopPlayback();
          this.store.update({ connection: 'reconnecting' });
        }
      }),
      signalling.on('eventUpdated', (event) => this.#onEventUpdated(event)),
      signalling.on('producerAdded', ({ producerId, kind }) => {
        this.#producers.set(producerId, kind);
        this.#webrtc?.consume(producerId);
        this.#onProducersChanged();
      }),
      signalling.on('producerClosed', ({ producerId }) => {
        this.#producers.delete(producerId);
        this.#onProducersChanged();
      }),
      signalling.on('reconnect', () => void this.#join()),
      signalling.on('organizerAway', ({ away }) => {
        this.#organizerAway = away;
        this.#updatePaused();
      }),
    ];
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#describeTimer);
    this.#closeBoot();
    this.stopPlayback();
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#signalling.close();
    this.store.clearListeners();
  }

  async #join(): Promise<void> {
    // A rejoin (after a signalling reconnect) leaves HLS playing: it never depended on the socket.
    if (this.store.get().path !== 'hls') this.stopPlayback();
    const generation = this.#generation;
    if (this.playback === null) this.store.update({ connection: 'connecting' });
    let joined: MediaResponse<'join'>;
    try {
      joined = await this.#signalling.request('join', { slug: this.#slug });
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof ServiceError && error.code === 'NOT_FOUND') this.store.update({ connection: 'not found' });
      else this.#retrySoon();
      return;
    }
    if (generation !== this.#generation) return;
    this.#joined = joined;
    // The server's word from now on; HLS started from a description plays on.
    clearTimeout(this.#describeTimer);
    this.#described = null;
    // A new connection is a new member of the audience for the server.
    this.#reported = null;
    this.#report();
    this.#producers = new Map(joined.producers.map((producer) => [producer.producerId, producer.kind]));
    this.#organizerAway = joined.organizerAway;
    this.store.update({ event: joined.event, serverUnreachable: false });
    this.#onProducersChanged();
    this.#follow(joined.event);
  }

  /**
   * Until the server is joined, the event as the mirrors describe it, read again every while: live, it
   * plays over HLS from the pathways; the join, whenever it comes, takes over. Used only before a first
   * join: a session that lost its socket later keeps what it plays (HLS needs no signalling).
   */
  async #describeFromMirror(): Promise<void> {
    clearTimeout(this.#describeTimer);
    if (this.#joined !== null || this.#describing || this.#closed) return;
    this.#describing = true;
    const event = await fetchEventDescription(this.#slug);
    this.#describing = false;
    if (this.#joined !== null || this.#closed) return;
    this.#describeTimer = setTimeout(() => void this.#describeFromMirror(), jittered(DESCRIPTION_RELOAD_MS));
    if (event === null || event.revision === this.#described?.revision) return;
    this.#described = event;
    this.store.update({ event, serverUnreachable: true });
    this.#follow(event);
  }

  /** What the page shows and plays for the event as the server's join, or a mirror's description, gave it. */
  #follow(event: PublicEvent): void {
    // Nothing live to go on from: the boot path's sound (if any: it may have caught the last segments) stops.
    if (event.status !== 'live') takeBootAudio(this.#slug)?.close();
    switch (event.status) {
      case 'scheduled':
        this.store.update({ connection: 'waiting for the event to start' });
        return;
      case 'ended':
        if (this.playback === null) this.store.update({ connection: 'ended' });
        return;
      case 'cancelled':
        this.store.update({ connection: 'cancelled' });
        return;
      case 'live':
        this.startPlayback();
    }
  }

  protected startPlayback(): void {
    const joined = this.#joined;
    const { elements } = this;
    if (this.playback !== null || elements === null || (joined?.event ?? this.#described)?.status !== 'live') return;
    this.#boot ??= takeBootAudio(this.#slug);
    // Known from a mirror's description alone: no server to offer WebRTC; HLS from the pathways.
    if (joined === null) {
      this.#startHls('server unreachable');
      return;
    }
    const soundFirst = this.#boot !== null && !clearlyCarriesVideo(this.#measuredBps());
    const choice = choosePath(joined, this.store.get().hlsReason, window.isSecureContext, soundFirst);
    if (choice.path === 'hls') this.#startHls(choice.reason);
    else void this.#startWebRtc(choice.routerRtpCapabilities as types.RtpCapabilities, elements, this.#generation);
  }

  async #startWebRtc(routerRtpCapabilities: types.RtpCapabilities, elements: MediaElements, generation: number): Promise<void> {
    this.store.update({ path: 'webrtc' });
    const { dataSaver, quality, initialMode } = this.startingPoint();
    let playback: WebRtcPlayback;
    try {
      const { WebRtcPlayback } = await import('./WebRtcPlayback');
      playback = await WebRtcPlayback.open({
        signalling: this.#signalling,
        routerRtpCapabilities,
        slug: this.#slug,
        elements,
        dataSaver,
        quality,
        initialMode,
        onFailure: (reason) => {
          if (this.playback === playback) this.#fallBackToHls(reason);
        },
      });
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof ServiceError && error.reason === 'seatsFull') {
        this.#fallBackToHls('seats full');
      } else if (error instanceof ServiceError) {
        this.#retrySoon();
      } else {
        // No WebRTC in this browser (or mediasoup-client could not load): HLS may still work.
        this.#fallBackToHls('webrtc unavailable');
      }
      return;
    }
    if (generation !== this.#generation || this.elements !== elements) {
      playback.close();
      return;
    }
    this.#webrtc = playback;
    this.#adopt(playback);
    this.#onProducersChanged();
    for (const producerId of this.#producers.keys()) playback.consume(producerId);
  }

  #fallBackToHls(reason: HlsReason): void {
    // Sound that still comes through, however broken, beats silence while HLS starts; a connection that
    // failed has none to give.
    const outgoing = reason === 'unhealthy' ? this.#webrtc : null;
    if (outgoing) this.letGo();
    this.stopPlayback();
    if (outgoing) {
      outgoing.handOver();
      this.#outgoing = outgoing;
    }
    this.#startHls(reason);
  }

  #startHls(reason: HlsReason): void {
    const { elements } = this;
    if (elements === null) return;
    const support = browserHlsSupport(elements.video);
    if (support === 'none') {
      this.store.update({ connection: 'failed', unsupported: true });
      return;
    }
    this.store.update({ path: 'hls', hlsReason: reason });
    // Our own HLS player goes on from the boot path's sound; the browser's own one cannot.
    const boot = support === 'mse' ? this.#boot : null;
    if (boot) this.#boot = null;
    else this.#closeBoot();
    const playback = createHlsPlayback(support, {
      slug: this.#slug,
      live: true,
      hasVideo: true,
      elements,
      boot,
      ...this.startingPoint(linkFailed(reason), boot ? this.#measuredBps() : null),
    });
    this.#adopt(playback);
  }

  #adopt(playback: Playback): void {
    this.adopt(playback, (state) => {
      const { connection, path } = this.store.get();
      this.store.update({ ...state, connection: followedConnection(connection, path, state) });
      // Make before break: the boot path's sound, or WebRTC's, stops once the path taking over plays.
      if (state.started) {
        this.#closeBoot();
        this.#closeOutgoing();
      }
      this.#updatePaused();
      this.#report();
    });
  }

  #report(): void {
    const { started, mode, path } = this.store.get();
    if (!started || path === null || !this.#signalling.connected) return;
    const reported = reportedMode(path, mode);
    if (reported === this.#reported) return;
    this.#reported = reported;
    this.#signalling.request('reportPlayback', { mode: reported }).catch(() => {
      // Counted again at the next change or join; the figures are for dashboards, not for playback.
      this.#reported = null;
    });
  }

  /**
   * Sound without video (the organizer on a microphone alone) plays over the poster. Judged only while
   * there is sound: an organizer dropping out altogether is a pause, not a change to sound only.
   */
  #onProducersChanged(): void {
    this.#updatePaused();
    const kinds = [...this.#producers.values()];
    if (kinds.includes('audio')) this.#webrtc?.setSourceHasVideo(kinds.includes('video'));
  }

  #updatePaused(): void {
    const { event, sourceIdle } = this.store.get();
    const paused =
      event?.status === 'live' && this.#joined !== null && (this.#producers.size === 0 || sourceIdle || this.#organizerAway);
    if (paused !== this.store.get().broadcastPaused) this.store.update({ broadcastPaused: paused });
  }

  #onEventUpdated(event: PublicEvent): void {
    const wasLive = this.store.get().event?.status === 'live';
    this.store.update({ event });
    this.#updatePaused();
    // Media capabilities come only with a join, so going live means joining again.
    if (event.status === 'live' && !wasLive) void this.#join();
    else if (event.status === 'ended') {
      // An HLS viewer is some seconds behind: the last words are still to come, so let them play out.
      if (this.store.get().path !== 'hls') this.stopPlayback();
      this.store.update({ connection: 'ended' });
    } else if (event.status === 'cancelled') this.store.update({ connection: 'cancelled' });
  }

  #retrySoon(): void {
    this.store.update({ connection: 'failed' });
    clearTimeout(this.#retryTimer);
    // While disconnected there is nothing to schedule: reconnecting joins again by itself.
    // Jittered: attendees refused together (a busy server) must not all come back at the same moment.
    if (this.#signalling.connected) this.#retryTimer = setTimeout(() => void this.#join(), jittered(RETRY_DELAY_MS));
  }

  /** The link as measured with the boot's sound: by its segments, and by the app's own script that followed. */
  #measuredBps(): number | null {
    return fastestMeasured(this.#boot?.estimateBps ?? null, largestDownloadBps());
  }

  #closeBoot(): void {
    this.#boot?.close();
    this.#boot = null;
  }

  #closeOutgoing(): void {
    this.#outgoing?.close();
    this.#outgoing = null;
  }

  protected override stopPlayback(): void {
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    this.#closeOutgoing();
    this.release();
    this.#webrtc = null;
    this.store.update({ ...INITIAL_PLAYBACK_STATE, path: null });
  }
}

export type PathChoice = { path: 'webrtc'; routerRtpCapabilities: unknown } | { path: 'hls'; reason: HlsReason };

/**
 * The path for a live event, from the join answer: HLS for the rest of the session once it was chosen
 * (`hlsReason`), HLS on a page that is not a secure context (browsers give WebRTC's media only to
 * https:// or loopback pages, so an attempt would only fail after its timeout), HLS when the boot
 * path's sound plays on a link that did not clearly show room for video (`soundFirst`: the audio pipe
 * goes on from it without a gap, where WebRTC would start over), HLS when the server has no seat or no
 * WebRTC to offer, WebRTC otherwise.
 */
export function choosePath(
  joined: Pick<MediaResponse<'join'>, 'webrtcSeatAvailable' | 'routerRtpCapabilities'>,
  hlsReason: HlsReason | null,
  secureContext: boolean,
  soundFirst = false,
): PathChoice {
  if (hlsReason !== null) return { path: 'hls', reason: hlsReason };
  if (!secureContext) return { path: 'hls', reason: 'insecure page' };
  if (soundFirst) return { path: 'hls', reason: 'sound first' };
  if (!joined.webrtcSeatAvailable) return { path: 'hls', reason: 'seats full' };
  if (joined.routerRtpCapabilities === null) return { path: 'hls', reason: 'webrtc unavailable' };
  return { path: 'webrtc', routerRtpCapabilities: joined.routerRtpCapabilities };
}

/**
 * Whether the boot path's downloads measured a link that clearly carries video (the lowest rung with
 * the room the mode controller wants before it brings video back): only then does the app start as it
 * would without the boot's sound; anything less goes on with the sound and lets the link prove itself.
 */
export function clearlyCarriesVideo(estimateBps: number | null): boolean {
  return estimateBps !== null && estimateBps >= ASSUMED_VIDEO_NEED_BPS * VIDEO_UP_FACTOR;
}

/**
 * The link as the fastest of several transfers measured it: each is a lower bound (a few KB on a fast
 * link are over before the line is full, and the app's script shares the link with the boot's segments),
 * so the highest is the closest. Null when nothing was measured.
 */
export function fastestMeasured(...estimatesBps: Array<number | null>): number | null {
  const measured = estimatesBps.filter((bps) => bps !== null);
  return measured.length > 0 ? Math.max(...measured) : null;
}

/** WebRTC carried media on this link and then failed: HLS starts with sound, video once the link proves it can. */
export function linkFailed(reason: HlsReason): boolean {
  return reason === 'unhealthy' || reason === 'connection lost';
}

/**
 * The connection shown while media is being followed, from the playback's state; a state the event
 * itself decided (waiting, ended, not found, failed) is left as it is.
 */
export function followedConnection(
  current: ConnectionState,
  path: DeliveryPath | null,
  { started, trouble }: Pick<PlaybackState, 'started' | 'trouble'>,
): ConnectionState {
  if (current !== 'connecting' && current !== 'connected' && current !== 'reconnecting') return current;
  if (!started) return 'connecting';
  // Reconnecting is WebRTC's: HLS requests being retried show as trouble, not as a lost connection.
  return path === 'webrtc' && trouble ? 'reconnecting' : 'connected';
}

/** How the server counts this attendee. */
export function reportedMode(path: DeliveryPath, mode: PlaybackState['mode']): DeliveryMode {
  if (mode === 'audio') return 'audio-only';
  return path === 'webrtc' ? 'webrtc' : 'hls-video';
}
