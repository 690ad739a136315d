import fs from 'node:fs/promises';
import path from 'node:path';
import { isOver, type FileBroadcastEnd, type FileBroadcastResponse, type FileBroadcastStatus } from '../../shared/events';
import { BadRequestError, InvalidStateError } from '../errors';
import type { EventService } from '../events/EventService';
import type { FfmpegExit } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import type { EventStills } from './EventStills';
import { FfmpegPublisher } from './FfmpegPublisher';
import { fileSource, holdSource, type FileSourceOptions } from './fileSource';
import { fontFor } from './fonts';
import type { MediaRoom } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import { IMAGE_DEMUXERS, probeMedia, RECORDING_DEMUXERS } from './probeMedia';

export interface UploadedFiles {
  /** Where the upload's files are; removed when the broadcast is replaced or the event ends. */
  dir: string;
  media: string;
  image: string | undefined;
}

export interface FileBroadcastLimits {
  maxSeconds: number;
}

interface Running {
  /** Replaced when the broadcast moves to a new room (its worker died). */
  publisher: FfmpegPublisher;
  dir: string;
  status: FileBroadcastStatus;
  /** While the file plays: what ffmpeg reads, to start it again on a new worker. */
  source: FileSourceOptions | undefined;
  /** When the file would have begun had it played without a break (ms since the epoch). */
  startedAt: number;
}

export interface FileBroadcasterEvents {
  /** An event's file broadcast started, moved to its slate, or stopped (`null`). */
  changed: [slug: string, status: FileBroadcastStatus | null];
}

/**
 * Goes live from a prepared file instead of a camera: a rally whose speaker cannot appear live still
 * happens. The file is fed into the SFU like any organizer media, so WebRTC viewers, the HLS ladder
 * and the recording all carry it. When the file has played, the organizer's choice applies (the event
 * ends, the file loops, or a "we will be right back" slate holds until the organizer acts), and the
 * organizer is told of every change (`changed`).
 */
export class FileBroadcaster extends SafeEmitter<FileBroadcasterEvents> {
  readonly #events: EventService;
  readonly #stills: EventStills;
  readonly #rooms: MediaRoomRegistry;
  readonly #limits: FileBroadcastLimits;
  readonly #logger: Logger;
  readonly #running = new Map<string, Running>();
  /** Starts under way; `stopped` when asked to stop before ffmpeg was up. */
  readonly #starting = new Map<string, { stopped: boolean }>();

  constructor(events: EventService, rooms: MediaRoomRegistry, stills: EventStills, limits: FileBroadcastLimits, logger: Logger) {
    super(logger);
    this.#events = events;
    this.#stills = stills;
    this.#rooms = rooms;
    this.#limits = limits;
    this.#logger = logger;
    events.on('updated', (event) => {
      if (isOver(event.status)) void this.stop(event.slug);
    });
    rooms.on('roomRecreated', (room) => void this.#resume(room));
  }

  /** Whether a file (or the slate held after it) is the event's media: the camera must wait. */
  isRunning(slug: string): boolean {
    return this.#running.has(slug);
  }

  status(slug: string): FileBroadcastStatus | null {
    return this.#running.get(slug)?.status ?? null;
  }

  /**
   * Checks the files, starts ffmpeg on them, and only then puts the event live (if it was not): a
   * broadcast that cannot start leaves the event as it was. One start per event at a time; a second
   * while one is under way is refused and changes nothing.
   */
  async start(slug: string, files: UploadedFiles, atEnd: FileBroadcastEnd): Promise<FileBroadcastResponse> {
    if (this.#starting.has(slug)) {
      await fs.rm(files.dir, { recursive: true, force: true });
      throw new InvalidStateError('a file broadcast is already starting for this event');
    }
    const attempt = { stopped: false };
    this.#starting.set(slug, attempt);
    try {
      const checked = await this.#check(files);
      // Opening a room for an ended event would start a recorder on a finished recording.
      const event = this.#events.get(slug);
      if (isOver(event.status)) throw new InvalidStateError(`the event has ${event.status}`);
      const titleFile = path.join(files.dir, 'title.txt');
      const { title } = this.#events.get(slug);
      await fs.writeFile(titleFile, title);
      await this.#stopRunning(slug);
      const room = await this.#rooms.getOrCreate(slug);
      const source: FileSourceOptions = { ...checked, titleFile, titleFont: fontFor(title), loop: atEnd === 'loop' };
      const publisher = await FfmpegPublisher.start(room, fileSource(source), this.#logger.child({ slug, module: 'file-broadcast' }));
      try {
        // Stopped (by its organizer, or the event's end) while ffmpeg started: undone as if never begun.
        if (attempt.stopped) throw new InvalidStateError('the file broadcast was stopped while it was starting');
        this.#events.goLive(slug);
      } catch (error) {
        publisher.close();
        throw error;
      }
      const status: FileBroadcastStatus = { state: 'playing', atEnd };
      this.#running.set(slug, { publisher, dir: files.dir, status, source, startedAt: Date.now() });
      publisher.once('exit', (exit) => void this.#onFileEnded(slug, publisher, exit));
      this.emit('changed', slug, status);
      return { durationSeconds: Math.round(checked.durationSeconds), hasVideo: checked.mediaHasVideo || files.image !== undefined };
    } catch (error) {
      await fs.rm(files.dir, { recursive: true, force: true });
      throw error;
    } finally {
      this.#starting.delete(slug);
    }
  }

  /** Stops the event's file broadcast, or the one starting (which then fails and changes nothing). */
  async stop(slug: string): Promise<void> {
    const attempt = this.#starting.get(slug);
    if (attempt) attempt.stopped = true;
    await this.#stopRunning(slug);
  }

  /**
   * The file played to its end (or its ffmpeg failed): the organizer's choice applies. A failure mid-file
   * holds the slate whatever was chosen: the organizer did not choose to end a broadcast cut short.
   */
  async #onFileEnded(slug: string, publisher: FfmpegPublisher, { reason, code }: FfmpegExit): Promise<void> {
    const running = this.#running.get(slug);
    // Only itself: a start under way for the same event is not stopped by this one's end.
    if (running?.publisher !== publisher) return;
    this.#logger.info({ slug, reason, code, atEnd: running.status.atEnd }, 'file broadcast finished');
    if (reason === 'exited' && running.status.atEnd === 'end') {
      // The event's end stops the broadcast (see the constructor), which tells the organizer.
      this.#events.end(slug);
      return;
    }
    publisher.close();
    await fs.rm(running.dir, { recursive: true, force: true });
    try {
      const slate = await this.#stills.backSoon(slug);
      if (this.#running.get(slug) !== running) return;
      const room = await this.#rooms.getOrCreate(slug);
      const holding = await FfmpegPublisher.start(room, holdSource(slate), this.#logger.child({ slug, module: 'file-broadcast-slate' }));
      // Stopped, or replaced by another start, while the slate started.
      if (this.#running.get(slug) !== running) {
        holding.close();
        return;
      }
      const status: FileBroadcastStatus = { state: 'holding', atEnd: running.status.atEnd };
      this.#running.set(slug, { publisher: holding, dir: running.dir, status, source: undefined, startedAt: running.startedAt });
      holding.once('exit', (exit) => {
        this.#logger.warn({ slug, ...exit }, 'the held slate stopped');
        if (this.#running.get(slug)?.publisher === holding) void this.#stopRunning(slug);
      });
      this.emit('changed', slug, status);
    } catch (error) {
      this.#logger.error({ err: error, slug }, 'the slate could not be held after the file');
      if (this.#running.get(slug) === running) void this.#stopRunning(slug);
    }
  }

  /**
   * The room's worker died and a new room took its place: the file plays on there from where it had got
   * to, as an organizer's camera would be published again, instead of leaving the event silent. (A held
   * slate is not started again: the organizer's next start replaces it.)
   */
  async #resume(room: MediaRoom): Promise<void> {
    const running = this.#running.get(room.slug);
    if (!running?.source) return;
    const { source } = running;
    // Its RTP went to the dead worker: nothing of it reaches anyone any more.
    running.publisher.close();
    const elapsed = (Date.now() - running.startedAt) / 1000;
    if (!source.loop && elapsed >= source.durationSeconds) {
      // It would have ended meanwhile: what the organizer chose for the end applies.
      await this.#onFileEnded(room.slug, running.publisher, { reason: 'exited', code: 0, signal: null });
      return;
    }
    try {
      const publisher = await FfmpegPublisher.start(
        room,
        fileSource({ ...source, startAtSeconds: elapsed % source.durationSeconds }),
        this.#logger.child({ slug: room.slug, module: 'file-broadcast' }),
      );
      // Stopped, or replaced by a new upload, while ffmpeg started.
      if (this.#running.get(room.slug) !== running) {
        publisher.close();
        return;
      }
      running.publisher = publisher;
      publisher.once('exit', (exit) => void this.#onFileEnded(room.slug, publisher, exit));
      this.#logger.warn({ slug: room.slug, startAtSeconds: elapsed }, 'file broadcast resumed on a new worker');
    } catch (error) {
      this.#logger.error({ err: error, slug: room.slug }, 'resuming the file broadcast failed');
      if (this.#running.get(room.slug) === running) await this.#stopRunning(room.slug);
    }
  }

  async #stopRunning(slug: string): Promise<void> {
    const running = this.#running.get(slug);
    if (!running) return;
    this.#running.delete(slug);
    running.publisher.close();
    this.emit('changed', slug, null);
    await fs.rm(running.dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    for (const attempt of this.#starting.values()) attempt.stopped = true;
    await Promise.all([...this.#running.keys()].map((slug) => this.#stopRunning(slug)));
  }

  /** What {@link fileSource} needs of the files, each read only with an allowed demuxer. */
  async #check(files: UploadedFiles): Promise<Omit<FileSourceOptions, 'titleFile' | 'titleFont' | 'loop'>> {
    const probed = await probeMedia(files.media, RECORDING_DEMUXERS);
    if (probed.kind === 'refused' && probed.playlist) {
      throw new BadRequestError(`the file is a playlist (${probed.format}), which could pull in other files: upload the recording itself`);
    }
    if (probed.kind !== 'media') {
      throw new BadRequestError('the file is not an audio or video recording this server accepts (MP4, M4A, MOV, MKV, WebM, MP3, Ogg, WAV, FLAC or AAC)');
    }
    const media = probed.info;
    if (!media.hasAudio) throw new BadRequestError('the recording has no sound: a speech needs an audio track');
    if (!media.durationSeconds) throw new BadRequestError('the recording has no duration');
    if (media.durationSeconds > this.#limits.maxSeconds) {
      const max = this.#limits.maxSeconds;
      throw new BadRequestError(`the recording is longer than ${max >= 60 ? `${Math.round(max / 60)} minutes` : `${max} seconds`}`);
    }
    let image: FileSourceOptions['image'];
    if (files.image) {
      const picture = await probeMedia(files.image, IMAGE_DEMUXERS);
      if (picture.kind !== 'media' || !picture.info.hasVideo) throw new BadRequestError('the picture is not an image (use JPEG, PNG or WebP)');
      image = { file: files.image, demuxer: picture.info.demuxer };
    }
    return {
      media: files.media,
      mediaDemuxer: media.demuxer,
      mediaHasVideo: media.hasVideo,
      durationSeconds: media.durationSeconds,
      image,
    };
  }
}
