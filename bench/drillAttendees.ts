/**
 * The attendees of the fault drill (bench/drill.ts), each keeping what it got so that the drill can
 * say afterwards what was lost in each fault's window: an HLS listener following the audio-only
 * rung, a WebRTC viewer in Chromium, and chatters with an outbox like the app's.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { CHAT_NAMESPACE, ChatBatch, type JoinChatResponse } from '../shared/chat';
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
 * A chatter with the app's outbox: a message is kept until the server acknowledges it and sent again
 * (same client id) after any refusal or reconnection. Remembers what it sent and everything it saw.
 */
export class Chatter {
  /** Accepted messages: id → when accepted. */
  readonly accepted = new Map<number, number>();
  readonly seen = new Set<number>();
  /** Refusals by error code (a retried message is refused again until accepted). */
  readonly refusals: Record<string, number> = {};
  /** Disconnections by Socket.io's reason. */
  readonly disconnects: Record<string, number> = {};
  readonly #socket: Socket;
  readonly #slug: string;
  readonly #clientKey = crypto.randomBytes(24).toString('base64url');
  readonly #outbox: { clientId: string; text: string }[] = [];
  #lastId: number | undefined;
  #joined = false;
  #sending = false;
  #timer: NodeJS.Timeout | undefined;
  readonly name: string;

  constructor(serverUrl: string, slug: string, name: string) {
    this.name = name;
    this.#slug = slug;
    // A connection of its own (socket.io-client would otherwise share one per URL between chatters).
    this.#socket = io(`${serverUrl}${CHAT_NAMESPACE}`, { transports: ['websocket'], reconnectionDelayMax: 1000, forceNew: true });
    this.#socket.on('connect', () => void this.#join());
    this.#socket.on('disconnect', (reason) => {
      this.#joined = false;
      // Socket.io reconnects by itself after a lost transport, not after 'io server disconnect'.
      this.disconnects[reason] = (this.disconnects[reason] ?? 0) + 1;
    });
    this.#socket.on('batch', (payload: unknown) => {
      const batch = ChatBatch.safeParse(payload);
      if (batch.success) for (const entry of batch.data.entries) this.#see(entry.kind === 'message' ? entry.id : undefined, entry.id);
    });
  }

  /** Queues a message every `everyMs`. */
  start(everyMs: number): void {
    let n = 0;
    this.#timer = setInterval(() => {
      this.#outbox.push({ clientId: crypto.randomBytes(9).toString('base64url'), text: `${this.name} #${++n}` });
      void this.#flush();
    }, everyMs);
  }

  stopSending(): void {
    clearInterval(this.#timer);
  }

  get pending(): number {
    return this.#outbox.length;
  }

  close(): void {
    this.stopSending();
    this.#socket.close();
  }

  #see(messageId: number | undefined, entryId: number): void {
    if (messageId !== undefined) this.seen.add(messageId);
    this.#lastId = Math.max(this.#lastId ?? 0, entryId);
  }

  #refused(code: string): string {
    this.refusals[code] = (this.refusals[code] ?? 0) + 1;
    return code;
  }

  async #join(): Promise<void> {
    try {
      const ack = await this.#socket
        .timeout(5000)
        .emitWithAck('join', { slug: this.#slug, clientKey: this.#clientKey, ...(this.#lastId ? { after: this.#lastId } : {}) });
      if (!ack.ok) throw new Error(this.#refused(ack.error.code));
      for (const entry of (ack.data as JoinChatResponse).entries) this.#see(entry.kind === 'message' ? entry.id : undefined, entry.id);
      this.#joined = true;
      void this.#flush();
    } catch {
      setTimeout(() => this.#socket.connected && void this.#join(), 1000);
    }
  }

  async #flush(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    try {
      while (this.#outbox.length > 0 && this.#joined) {
        const next = this.#outbox[0]!;
        const ack = await this.#socket
          .timeout(5000)
          .emitWithAck('send', { ...next, name: this.name })
          .catch(() => ({ ok: false, error: { code: 'TIMEOUT' } }));
        if (!ack.ok) {
          this.#refused(ack.error.code);
          setTimeout(() => void this.#flush(), 1000);
          return;
        }
        this.#outbox.shift();
        this.accepted.set((ack.data as { id: number }).id, Date.now());
      }
    } finally {
      this.#sending = false;
    }
  }
}
