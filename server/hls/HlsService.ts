import fs from 'node:fs/promises';
import path from 'node:path';
import type { PublicEvent } from '../../shared/events';
import type { RecordingState } from '../../shared/signalling';
import { InvalidStateError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import type { MediaRoom } from '../sfu/MediaRoom';
import type { MediaRoomRegistry } from '../sfu/MediaRoomRegistry';
import { recordingFiles } from '../../shared/recordingLayout';
import { AudioDownloads } from './AudioDownloads';
import { HlsPackager, type StillSource } from './HlsPackager';
import { PlaylistComposer } from './PlaylistComposer';
import { RecordingCatalog } from './RecordingCatalog';

/**
 * Keeps one packager per live event's media room and turns an ended event's playlists into a
 * finished recording (VOD playlists and an audio-only download).
 */
export interface HlsServiceEvents {
  recordingState: [slug: string, state: RecordingState, message: string | null];
}

/** Where every event's recording directory is, in a data directory: the server's and the mirror kit's one answer. */
export function recordingsDirIn(dataDir: string): string {
  return path.join(dataDir, 'recordings');
}

export class HlsService extends SafeEmitter<HlsServiceEvents> {
  readonly recordingsDir: string;
  /** The replays, kept current by this service as it finishes recordings. */
  readonly catalog: RecordingCatalog;
  readonly audioDownloads: AudioDownloads;
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #logger: Logger;
  readonly #packagers = new Map<string, HlsPackager>();
  readonly #finishing = new Map<string, Promise<void>>();
  /** Live events whose recording directory could not be made: no packager, and the organizer told so. */
  readonly #unrecordable = new Set<string>();
  readonly #still: StillSource | undefined;

  /**
   * `packaging` is off on edge SFUs: the origin records, edges only relay. `still` gives the picture
   * packaged when an organizer sends sound alone.
   */
  constructor(
    recordingsDir: string,
    events: EventService,
    rooms: MediaRoomRegistry,
    logger: Logger,
    { packaging = true, still }: { packaging?: boolean; still?: StillSource } = {},
  ) {
    super(logger);
    this.recordingsDir = recordingsDir;
    this.catalog = new RecordingCatalog(recordingsDir, events);
    this.audioDownloads = new AudioDownloads(logger);
    this.#events = events;
    this.#rooms = rooms;
    this.#logger = logger;
    this.#still = still;
    if (!packaging) return;
    rooms.on('roomOpened', this.#onRoomOpened);
    events.on('updated', this.#onEventUpdated);
  }

  recordingDir(slug: string): string {
    return path.join(this.recordingsDir, slug);
  }

  packager(slug: string): HlsPackager | undefined {
    return this.#packagers.get(slug);
  }

  /** What the event's recorder is doing now, as its organizer was last told. */
  state(slug: string): RecordingState {
    const packager = this.#packagers.get(slug);
    if (packager) return packager.state;
    if (this.#finishing.has(slug)) return 'stopped';
    return this.#unrecordable.has(slug) ? 'failed' : 'idle';
  }

  /** Resolves once an ended event's recording is final (at once if there is nothing to finish). */
  finished(slug: string): Promise<void> {
    return this.#finishing.get(slug) ?? Promise.resolve();
  }

  /**
   * After a restart: recordings of ended events that were not finished are made final (the server may
   * have stopped between the end and the finishing, or the finishing failed), and those of live events
   * are re-composed from what ffmpeg wrote, as live playlists again (a clean stop had finished them).
   * One at a time: a server with many old recordings starts no more than one ffmpeg for them at once,
   * and a finished recording (its marker written) costs none.
   */
  async recover(): Promise<void> {
    for (const event of this.#events.list()) {
      if (event.status === 'scheduled' || event.status === 'cancelled') continue;
      const dir = this.recordingDir(event.slug);
      if (!(await exists(dir))) continue;
      if (event.status === 'live') await new PlaylistComposer(dir).compose({ ended: false });
      else if (!(await exists(path.join(dir, recordingFiles.finishedMarker)))) await this.#finish(event.slug);
    }
  }

  /** The audio download of an ended event's recording, made now if it is missing. */
  async ensureAudioDownload(slug: string): Promise<void> {
    if (this.#events.get(slug).status !== 'ended') return;
    await this.finished(slug);
    await this.audioDownloads.ensure(this.recordingDir(slug));
  }

  /**
   * Notes in the event's recording that its organizer was away from `from` to `to` (ms since the epoch):
   * a line in `gaps.jsonl`, which the playlists mark (see PlaylistComposer). Appended, never rewritten,
   * like everything else in a recording. An event with no recording yet has nothing to mark.
   */
  async markGap(slug: string, from: number, to: number): Promise<void> {
    const line = `${JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString() })}\n`;
    try {
      await fs.appendFile(path.join(this.recordingDir(slug), recordingFiles.gaps), line, { flag: 'a' });
      this.#packagers.get(slug)?.composer.gapsChanged();
    } catch (error) {
      this.#logger.debug({ err: error, slug }, 'no recording to mark the organizer’s absence in');
    }
  }

  /**
   * Removes a recording's files, once its finishing (if under way) is over. Only for an event that is
   * not live (a deleted one): a live event's packager is still writing there.
   */
  async removeRecording(slug: string): Promise<void> {
    if (this.#packagers.has(slug)) throw new InvalidStateError('the event is being recorded');
    await this.finished(slug);
    await fs.rm(this.recordingDir(slug), { recursive: true, force: true });
    this.#unrecordable.delete(slug);
    this.catalog.forget(slug);
  }

  /**
   * Stops every packager the clean way (ffmpeg closes its last segment) and leaves each live recording
   * finished on disk — VOD, every segment listed, ENDLIST — so that what was recorded replays whole
   * whatever happens next. The event stays live: after a restart `recover()` opens its playlists again
   * for the organizer's next run.
   */
  async close(): Promise<void> {
    this.#rooms.off('roomOpened', this.#onRoomOpened);
    this.#events.off('updated', this.#onEventUpdated);
    await Promise.all([...this.#packagers.values()].map((p) => p.stop({ ended: true })));
    this.#packagers.clear();
    await Promise.all(this.#finishing.values());
  }

  readonly #onRoomOpened = (room: MediaRoom): void => {
    const dir = this.recordingDir(room.slug);
    void fs
      .mkdir(dir, { recursive: true })
      .then(() => {
        if (room.closed) return;
        this.#unrecordable.delete(room.slug);
        const packager = new HlsPackager(room.slug, room, dir, this.#logger, this.#still);
        packager.on('state', (state, message) => this.emit('recordingState', room.slug, state, message));
        this.#packagers.set(room.slug, packager);
        room.once('closed', () => {
          // An ended event's packager was already taken out and is being finished instead.
          if (this.#packagers.get(room.slug) !== packager) return;
          this.#packagers.delete(room.slug);
          void packager.stop({ ended: false });
        });
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error, slug: room.slug }, 'cannot create recording directory');
        this.#unrecordable.add(room.slug);
        this.emit('recordingState', room.slug, 'failed', 'the data directory is not writable: this event is not being recorded');
      });
  };

  readonly #onEventUpdated = (event: PublicEvent): void => {
    if (event.status !== 'ended') return;
    const packager = this.#packagers.get(event.slug);
    this.#packagers.delete(event.slug);
    const finishing = (packager?.stop({ ended: true }) ?? Promise.resolve()).then(() => this.#finish(event.slug));
    this.#finishing.set(event.slug, finishing);
  };

  /** Makes the recording final; the marker it leaves tells a restarted server there is nothing left to do. */
  async #finish(slug: string): Promise<void> {
    const dir = this.recordingDir(slug);
    try {
      const audioSegments = await new PlaylistComposer(dir).compose({ ended: true });
      if (audioSegments > 0) await this.audioDownloads.extract(dir);
      await fs.writeFile(path.join(dir, recordingFiles.finishedMarker), `${new Date().toISOString()}\n`);
    } catch (error) {
      this.#logger.error({ err: error, slug }, 'finishing the recording failed');
    } finally {
      this.catalog.forget(slug);
    }
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
