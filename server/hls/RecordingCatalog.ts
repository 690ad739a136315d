import fs from 'node:fs/promises';
import path from 'node:path';
import { videoRungs } from '../../shared/ladder';
import { recordingFiles } from '../../shared/recordingLayout';
import type { Replay, ReplayListQuery } from '../../shared/recordings';
import type { PublicEvent } from '../../shared/events';
import type { EventService } from '../events/EventService';
import { parseMediaPlaylist } from './PlaylistComposer';

type RecordingFacts = Pick<Replay, 'durationSeconds' | 'hasVideo' | 'hasPoster' | 'hasAudioDownload'>;

/**
 * An ended event found without a recording is looked at again after this long: another server process
 * sharing the data directory may have finished it, and only this process's {@link HlsService} tells.
 */
const ABSENT_KEPT_MS = 30_000;

/**
 * What viewers can replay: ended events that left a recording, described from the files themselves.
 * A finished recording's files do not change, so each is read once and its description kept until
 * {@link HlsService} says the recording changed ({@link forget}, when it finishes one): `/api/replays`
 * is public, and must not re-read every playlist on every request. The events themselves (titles,
 * status, order) are asked of {@link EventService} each time.
 */
export class RecordingCatalog {
  readonly #recordingsDir: string;
  readonly #events: EventService;
  readonly #now: () => number;
  /**
   * By slug: the description, or undefined for an event that left no recording (`absentSince` then
   * says since when); shared while it is read.
   */
  readonly #described = new Map<string, { facts: Promise<RecordingFacts | undefined>; absentSince?: number }>();
  #reads = 0;

  constructor(recordingsDir: string, events: EventService, now: () => number = Date.now) {
    this.#recordingsDir = recordingsDir;
    this.#events = events;
    this.#now = now;
  }

  /** How many recordings were described from their files so far: what the cache did not absorb. */
  get reads(): number {
    return this.#reads;
  }

  /** A page of replays, newest event first, and the offset of the next page (null at the end). */
  async list({ limit, offset }: ReplayListQuery): Promise<{ replays: Replay[]; next: number | null }> {
    const ended = this.#events.list().filter((event) => event.status === 'ended');
    const described = await Promise.all(ended.map((event) => this.#describe(event)));
    const all = described.filter((replay) => replay !== undefined);
    return { replays: all.slice(offset, offset + limit), next: offset + limit < all.length ? offset + limit : null };
  }

  /** One event's replay; undefined when the event has not ended or left no recording. */
  async get(slug: string): Promise<Replay | undefined> {
    const event = this.#events.get(slug);
    return event.status === 'ended' ? this.#describe(event) : undefined;
  }

  /** The recording of `slug` changed (it was finished): describe it from its files again when asked. */
  forget(slug: string): void {
    this.#described.delete(slug);
  }

  async #describe(event: PublicEvent): Promise<Replay | undefined> {
    let entry = this.#described.get(event.slug);
    if (!entry || (entry.absentSince !== undefined && this.#now() - entry.absentSince >= ABSENT_KEPT_MS)) {
      const read: { facts: Promise<RecordingFacts | undefined>; absentSince?: number } = { facts: this.#read(event.slug) };
      void read.facts.then((facts) => {
        if (!facts) read.absentSince = this.#now();
      });
      entry = read;
      this.#described.set(event.slug, entry);
    }
    const found = await entry.facts;
    return found && { slug: event.slug, title: event.title, startedAt: event.startedAt, endedAt: event.endedAt, ...found };
  }

  async #read(slug: string): Promise<RecordingFacts | undefined> {
    this.#reads += 1;
    const dir = path.join(this.#recordingsDir, slug);
    const audioPlaylist = await fs.readFile(path.join(dir, recordingFiles.audioPlaylist), 'utf8').catch(() => undefined);
    if (audioPlaylist === undefined) return undefined;
    const durationSeconds = parseMediaPlaylist(audioPlaylist).segments.reduce((sum, s) => sum + s.duration, 0);
    const [hasVideo, hasPoster, hasAudioDownload] = await Promise.all(
      [recordingFiles.rungPlaylist(videoRungs[0].name), recordingFiles.poster, recordingFiles.audioDownload].map((name) =>
        fs.access(path.join(dir, name)).then(() => true, () => false),
      ),
    );
    return { durationSeconds: Math.round(durationSeconds * 10) / 10, hasVideo: hasVideo!, hasPoster: hasPoster!, hasAudioDownload: hasAudioDownload! };
  }
}
