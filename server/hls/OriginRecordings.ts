import type { z } from 'zod';
import { mirrorSettingsOf, SteeringManifestResponse, type MirrorSettings } from '../../shared/mirrors';
import { steeringPath } from '../../shared/steering';
import { isPlayerFile, recordingFileKind, recordingFiles, recordingUrl, type RecordingFileKind } from '../../shared/recordingLayout';
import { UnavailableError } from '../errors';
import type { Logger } from '../logger';

/** One file (or API answer) of the origin's, as kept here and sent on. */
export interface OriginFile {
  body: Buffer;
  /** The origin's own rule (a year for segments, a second for a live playlist), passed on to players and caches. */
  cacheControl: string;
}

export interface OriginRecordingsOptions {
  /** Bytes kept in memory at most, over all events. */
  cacheBytes: number;
  /** Origin requests waiting for an answer at once; past it a miss is refused (503) rather than queued. */
  maxFetches?: number;
  /** Longest wait for the origin's answer. */
  timeoutMs?: number;
  /** Milliseconds now (tests move it on). */
  clock?: () => number;
}

/**
 * How long a file may be served from here before the origin is asked again. Segments and init segments
 * never change once written; a live playlist changes every segment (2 s), so it is kept at most one
 * second; the poster a few. The origin's own max-age caps these (a live playlist says 1 s). A player
 * behind this copy may thus see a live window up to two seconds old (a second here, a second in its own
 * cache): one segment, which the three it starts behind the live edge absorb.
 */
const LONGEST_KEEP_MS: Readonly<Record<RecordingFileKind, number>> = {
  segment: Infinity,
  init: Infinity,
  playlist: 1_000,
  poster: 5_000,
  // Streamed through, never kept (see openAudioDownload).
  audioDownload: 0,
};
/** The origin's replay list and descriptions: as long as it lets caches keep them (10 s). */
const LONGEST_KEEP_API_MS = 10_000;
/** A file the origin does not have is not asked for again so soon: a player polling a segment not yet written, or a flood. */
const NOT_FOUND_KEEP_MS = 1_000;
/** No file of a recording is near this (a 720p segment is ~400 KB): a bigger answer is refused, not kept. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

interface Entry {
  /** undefined: the origin answered 404. */
  file: OriginFile | undefined;
  expiresAt: number;
  bytes: number;
}

/**
 * An edge's copy of its origin's HLS and recording files (`/hls/<slug>/…`) and replay descriptions, so
 * that the edge's attendees who fall back to HLS (no seat, WebRTC failing), see a poster or watch a
 * replay are served here, and the origin sends each file once per edge rather than once per attendee.
 *
 * Only paths the shared recording layout describes (`isPlayerFile`) are ever requested from the origin,
 * under a checked slug: the URL is built here, never taken from the request, and redirects are refused.
 * Concurrent requests for one file share one origin request; what is kept is bounded in bytes, the
 * least recently used going first; origin requests in flight are bounded too, so a flood of distinct
 * names cannot pile up work at the origin.
 */
export class OriginRecordings {
  readonly #originUrl: string;
  readonly #logger: Logger;
  readonly #cacheBytes: number;
  readonly #maxFetches: number;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  /** Insertion order is use order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  readonly #fetching = new Map<string, Promise<Entry>>();
  #bytes = 0;

  constructor(
    originUrl: string,
    logger: Logger,
    { cacheBytes, maxFetches = 32, timeoutMs = 10_000, clock = Date.now }: OriginRecordingsOptions,
  ) {
    this.#originUrl = originUrl;
    this.#logger = logger;
    this.#cacheBytes = cacheBytes;
    this.#maxFetches = maxFetches;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
  }

  /** Bytes kept now. */
  get cachedBytes(): number {
    return this.#bytes;
  }

  /**
   * The origin's file `file` (a path in the recording layout) of event `slug` (a checked slug), from here
   * when fresh; undefined when the origin has no such file or the path is not one players fetch (the
   * audio download is not kept: see openAudioDownload). Throws UnavailableError when the origin cannot
   * answer now.
   */
  async get(slug: string, file: string): Promise<OriginFile | undefined> {
    const kind = recordingFileKind(file);
    if (!kind || kind === 'audioDownload' || !isPlayerFile(file)) return undefined;
    return this.#cached(recordingUrl(slug, file), LONGEST_KEEP_MS[kind]);
  }

  /**
   * One of the origin's public replay answers (`/api/replays…`, a path the caller built from checked
   * parts), kept like a file once `schema` accepts it: what reaches attendees is only what the shared
   * schema allows, whatever answered.
   */
  async getApi(apiPath: string, schema: z.ZodType): Promise<OriginFile | undefined> {
    return this.#cached(apiPath, LONGEST_KEEP_API_MS, (body) => schema.safeParse(JSON.parse(body.toString('utf8'))).success);
  }

  /**
   * The event's mirrors and priority as the origin steers its own players (its public steering
   * manifest, kept as it lets caches keep it: a few seconds), so the edge steers its attendees alike.
   * Undefined when the origin has no such event or answered something that is not a valid manifest.
   */
  async mirrorSettings(slug: string): Promise<MirrorSettings | undefined> {
    const answer = await this.getApi(steeringPath(slug), SteeringManifestResponse);
    return answer && mirrorSettingsOf(SteeringManifestResponse.parse(JSON.parse(answer.body.toString('utf8'))));
  }

  /**
   * The origin's answer for the audio download of `slug`, to be streamed through as it arrives: an
   * hour of speech is tens of megabytes and a download is rare, so it is not kept.
   */
  openAudioDownload(slug: string, method: 'GET' | 'HEAD', range: string | undefined): Promise<Response> {
    return this.#request(recordingUrl(slug, recordingFiles.audioDownload), method, range);
  }

  async #cached(key: string, longestKeepMs: number, valid?: (body: Buffer) => boolean): Promise<OriginFile | undefined> {
    const kept = this.#entries.get(key);
    if (kept && kept.expiresAt > this.#clock()) {
      // Used again: to the back of the eviction order.
      this.#entries.delete(key);
      this.#entries.set(key, kept);
      return kept.file;
    }
    let fetching = this.#fetching.get(key);
    if (!fetching) {
      if (this.#fetching.size >= this.#maxFetches) throw new UnavailableError('the origin is busy; try again in a moment');
      fetching = this.#fetch(key, longestKeepMs, valid).finally(() => this.#fetching.delete(key));
      this.#fetching.set(key, fetching);
    }
    return (await fetching).file;
  }

  async #fetch(key: string, longestKeepMs: number, valid: ((body: Buffer) => boolean) | undefined): Promise<Entry> {
    const answer = await this.#request(key, 'GET', undefined);
    const fetchedAt = this.#clock();
    if (answer.status === 404) {
      await answer.body?.cancel();
      return this.#keep(key, { file: undefined, expiresAt: fetchedAt + NOT_FOUND_KEEP_MS, bytes: key.length });
    }
    if (answer.status !== 200) {
      await answer.body?.cancel();
      throw this.#unavailable(key, `it answered ${answer.status}`);
    }
    const declared = Number(answer.headers.get('content-length') ?? 0);
    if (declared > MAX_FILE_BYTES) {
      await answer.body?.cancel();
      throw this.#unavailable(key, `its answer of ${declared} bytes is too large`);
    }
    const body = Buffer.from(await answer.arrayBuffer());
    if (body.length > MAX_FILE_BYTES) throw this.#unavailable(key, `its answer of ${body.length} bytes is too large`);
    if (valid && !accepts(valid, body)) throw this.#unavailable(key, 'its answer does not match the shared schema');
    const cacheControl = answer.headers.get('cache-control') ?? 'no-cache';
    const keepMs = Math.min(longestKeepMs, maxAgeMs(cacheControl));
    return this.#keep(key, { file: { body, cacheControl }, expiresAt: fetchedAt + keepMs, bytes: body.length + key.length });
  }

  async #request(key: string, method: 'GET' | 'HEAD', range: string | undefined): Promise<Response> {
    try {
      return await fetch(`${this.#originUrl}${key}`, {
        method,
        headers: range ? { range } : {},
        // A redirect would take the edge to a URL the origin's answer chose, not one the layout describes.
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw this.#unavailable(key, (error as Error).message);
    }
  }

  #unavailable(key: string, reason: string): UnavailableError {
    this.#logger.warn({ file: key, reason }, 'the origin did not give a recording file');
    return new UnavailableError('the origin cannot give this file now; try again in a moment');
  }

  /** Keeps an entry (if it may be kept at all), evicting the least recently used past the budget. */
  #keep(key: string, entry: Entry): Entry {
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#bytes -= previous.bytes;
    }
    if (entry.expiresAt <= this.#clock() || entry.bytes > this.#cacheBytes) return entry;
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.#cacheBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= old.bytes;
    }
    return entry;
  }
}

/** The max-age of a Cache-Control value in milliseconds; 0 when it has none or forbids keeping. */
function maxAgeMs(cacheControl: string): number {
  if (/no-store|no-cache|private/i.test(cacheControl)) return 0;
  const seconds = /max-age=(\d+)/i.exec(cacheControl)?.[1];
  return seconds === undefined ? 0 : Number(seconds) * 1000;
}

/** A check that throws (JSON that does not parse) refuses. */
function accepts(valid: (body: Buffer) => boolean, body: Buffer): boolean {
  try {
    return valid(body);
  } catch {
    return false;
  }
}
