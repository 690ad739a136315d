/**
 * The attendees of the fault drill (bench/drill.ts), each keeping what it got so that the drill can
 * say afterwards what was lost in each fault's window: an HLS listener following the audio-only
 * rung, a WebRTC viewer in Chromium, and chatters using the app's chat client.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { ChatClient, type ChatConnection } from '../client/src/chat/ChatClient';
import { en } from '../client/src/i18n/messages';
import { problemText } from '../client/src/i18n/problemText';
import type { Problem } from '../client/src/lib/Problem';
import { recordingUrls } from '../shared/recordingLayout';
import { inboundTotals } from '../test/helpers/browser';
import { parseMediaPlaylist } from '../server/hls/PlaylistComposer';
import { playingMedia, readPlayer } from '../test/helpers/watchPage';

/** A stretch of wall-clock time, in ms since the epoch. */
export interface Span {
  from: number;
  to: number;
}

/** Seconds of `gaps` that fall inside `window`. */
export function secondsWithin(gaps: readonly Span[], window: Span): number {
  let ms = 0;
  for (const gap of gaps) ms += Math.max(0, Math.min(gap.to, window.to) - Math.max(gap.from, window.from));
  return Math.round(ms / 100) / 10;
}

export interface TimedSegment {
  uri: string;
  /** EXT-X-PROGRAM-DATE-TIME: when ffmpeg took the segment's first sample. */
  start: number;
  duration: number;
}

/**
 * Holes in a media timeline: wherever a segment starts later than the one before it ended (beyond
 * `toleranceMs` of encoder jitter), that wall-clock time is media nobody can hear.
 */
export function timelineGaps(segments: readonly TimedSegment[], toleranceMs = 300): Span[] {
  const sorted = [...segments].sort((a, b) => a.start - b.start);
  const gaps: Span[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const end = sorted[i - 1]!.start + sorted[i - 1]!.duration * 1000;
    if (sorted[i]!.start - end > toleranceMs) gaps.push({ from: end, to: sorted[i]!.start });
  }
  return gaps;
}

export function timedSegments(playlist: string): TimedSegment[] {
  return parseMediaPlaylist(playlist).segments.flatMap((s) =>
    s.programDateTime ? [{ uri: s.uri, start: Date.parse(s.programDateTime), duration: s.duration }] : [],
  );
}

const sha1 = (bytes: ArrayBuffer) => crypto.createHash('sha1').update(Buffer.from(bytes)).digest('hex');

/**
 * Follows the live audio-only playlist as a listener's player does (a reload a second), fetching each
 * new segment once and remembering its bytes' hash, so that a segment later removed or changed is seen.
 */
export class HlsFollower {
  readonly segments = new Map<string, TimedSegment & { hash: string }>();
  readonly #url: string;
  readonly #base: string;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(serverUrl: string, slug: string) {
    this.#url = `${serverUrl}${recordingUrls(slug).audioOnly}`;
    this.#base = this.#url.slice(0, this.#url.lastIndexOf('/') + 1);
  }

  start(): void {
    this.#timer = setInterval(() => void this.#poll(), 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** What an attendee following live could not hear. */
  gaps(): Span[] {
    return timelineGaps([...this.segments.values()]);
  }

  /** Fetches every segment it got again: one whose bytes differ now was rewritten. */
  async rewritten(): Promise<string[]> {
    const changed: string[] = [];
    for (const [uri, segment] of this.segments) {
      const response = await fetch(this.#base + uri);
      if (!response.ok || sha1(await response.arrayBuffer()) !== segment.hash) changed.push(uri);
    }
    return changed;
  }

  async #poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const response = await fetch(this.#url);
      if (!response.ok) return;
      for (const segment of timedSegments(await response.text())) {
        if (this.segments.has(segment.uri)) continue;
        const media = await fetch(this.#base + segment.uri);
        if (media.ok) this.segments.set(segment.uri, { ...segment, hash: sha1(await media.arrayBuffer()) });
      }
    } catch {
      // The server is down (a restart): the next reload tries again, as a player would.
    } finally {
      this.#busy = false;
    }
  }
}

/**
 * The watch page in Chromium, sampled four times a second: it is hearing the event while its WebRTC
 * audio bytes grow, or on HLS (the page may fall back by itself) while its player decodes audio.
 */
export class WebRtcViewer {
  readonly silences: Span[] = [];
  readonly paths = new Set<string>();
  readonly #page: Page;
  #timer: NodeJS.Timeout | undefined;
  #last = { rtp: -1, decoded: -1 };
  #silentSince: number | undefined;

  constructor(page: Page) {
    this.#page = page;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#sample(), 250);
  }

  stop(): void {
    clearInterval(this.#timer);
    if (this.#silentSince !== undefined) this.silences.push({ from: this.#silentSince, to: Date.now() });
  }

  async #sample(): Promise<void> {
    const at = Date.now();
    const [rtp, view] = await Promise.all([
      inboundTotals(this.#page).then((t) => t.audioBytes, () => this.#last.rtp),
      readPlayer(this.#page).catch(() => undefined),
    ]);
    const decoded = view ? playingMedia(view).audioDecodedBytes : this.#last.decoded;
    if (view?.path) this.paths.add(view.path);
    // Over WebRTC only arriving RTP counts (an audio element fed by a stream may count silence as decoded).
    const hearing = view?.path === 'webrtc' ? rtp > 0 && rtp !== this.#last.rtp : decoded !== this.#last.decoded;
    this.#last = { rtp, decoded };
    if (!hearing && this.#silentSince === undefined) this.#silentSince = at;
    if (hearing && this.#silentSince !== undefined) {
      // Four samples a second: a single still sample is the sampling, not a silence.
      if (at - this.#silentSince > 500) this.silences.push({ from: this.#silentSince, to: at });
      this.#silentSince = undefined;
    }
  }
}

/**
 * A chatter: the app's own {@link ChatClient} (its outbox, reconnection and catch-up), typing a message
 * every so often. Remembers when each of its messages was stored, every message it saw, and how its
 * connection went, so that the drill can tell who missed what and why.
 */
export class Chatter {
  /** Its messages the server stored: id → when it first saw them stored. */
  readonly accepted = new Map<number, number>();
  readonly seen = new Set<number>();
  /** Messages refused for good, by the problem shown. */
  readonly refusals: Record<string, number> = {};
  /** Every change of its connection's state, with the time: what a person would have seen. */
  readonly timeline: string[] = [];
  /** Times it went offline after being online. */
  offline = 0;
  readonly name: string;
  readonly #client: ChatClient;
  #timer: NodeJS.Timeout | undefined;

  constructor(serverUrl: string, slug: string, name: string) {
    this.name = name;
    // Its own connection and no storage: nothing shared with the other chatters of this process.
    this.#client = new ChatClient({ slug, url: serverUrl, storage: undefined, socketOptions: { transports: ['websocket'] } });
    this.#client.setName(name);
    let last: { connection: ChatConnection; problem: string | null } | undefined;
    // Said as an English reader of the page would read it.
    const say = (problem: Problem | null) => (problem === null ? null : problemText(en, problem));
    const refused = new Set<string>();
    this.#client.store.subscribe(() => {
      const view = this.#client.store.get();
      const problem = say(view.problem);
      if (view.connection !== last?.connection || problem !== last.problem) {
        if (last?.connection === 'online') this.offline++;
        this.timeline.push(`${new Date().toISOString().slice(11, 23)} ${view.connection}${problem ? `: ${problem}` : ''}`);
        last = { connection: view.connection, problem };
      }
      for (const message of view.messages) {
        if (this.seen.has(message.id)) continue;
        this.seen.add(message.id);
        if (message.authorId === view.authorId) this.accepted.set(message.id, Date.now());
      }
      for (const message of view.outgoing) {
        if (message.problem === null || refused.has(message.clientId)) continue;
        refused.add(message.clientId);
        const refusal = say(message.problem)!;
        this.refusals[refusal] = (this.refusals[refusal] ?? 0) + 1;
      }
    });
  }

  /** Types a message every `everyMs`. */
  start(everyMs: number): void {
    let n = 0;
    this.#timer = setInterval(() => this.#client.send(`${this.name} #${++n}`), everyMs);
  }

  stopSending(): void {
    clearInterval(this.#timer);
  }

  /** Messages typed and not stored yet (refused ones are not waiting). */
  get pending(): number {
    return this.#client.store.get().outgoing.filter((message) => message.problem === null).length;
  }

  close(): void {
    this.stopSending();
    this.#client.close();
  }
}
