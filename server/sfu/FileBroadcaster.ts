import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileBroadcastResponse } from '../../shared/events';
import { BadRequestError, InvalidStateError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { FfmpegPublisher } from './FfmpegPublisher';
import { fileSource, type FileSourceOptions } from './fileSource';
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
  publisher: FfmpegPublisher;
  dir: string;
}

/**
 * Goes live from a prepared file instead of a camera: a rally whose speaker cannot appear live still
 * happens. The file is fed into the SFU like any organizer media, so WebRTC viewers, the HLS ladder
 * and the recording all carry it.
 */
export class FileBroadcaster {
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #limits: FileBroadcastLimits;
  readonly #logger: Logger;
  readonly #running = new Map<string, Running>();
  /** Starts under way; `stopped` when asked to stop before ffmpeg was up. */
  readonly #starting = new Map<string, { stopped: boolean }>();

  constructor(events: EventService, rooms: MediaRoomRegistry, limits: FileBroadcastLimits, logger: Logger) {
    this.#events = events;
    this.#rooms = rooms;
    this.#limits = limits;
    this.#logger = logger;
    events.on('updated', (event) => {
      if (event.status === 'ended') void this.stop(event.slug);
    });
  }

  isRunning(slug: string): boolean {
    return this.#running.has(slug);
  }

  /**
   * Checks the files, starts ffmpeg on them, and only then puts the event live (if it was not): a
   * broadcast that cannot start leaves the event as it was. One start per event at a time; a second
   * while one is under way is refused and changes nothing.
   */
  async start(slug: string, files: UploadedFiles): Promise<FileBroadcastResponse> {
    if (this.#starting.has(slug)) {
      await fs.rm(files.dir, { recursive: true, force: true });
      throw new InvalidStateError('a file broadcast is already starting for this event');
    }
    const attempt = { stopped: false };
    this.#starting.set(slug, attempt);
    try {
      const checked = await this.#check(files);
      // Opening a room for an ended event would start a recorder on a finished recording.
      if (this.#events.get(slug).status === 'ended') throw new InvalidStateError('the event has ended');
      const titleFile = path.join(files.dir, 'title.txt');
      await fs.writeFile(titleFile, this.#events.get(slug).title);
      await this.#stopRunning(slug);
      const room = await this.#rooms.getOrCreate(slug);
      const publisher = await FfmpegPublisher.start(
        room,
        fileSource({ ...checked, titleFile }),
        this.#logger.child({ slug, module: 'file-broadcast' }),
      );
      try {
        // Stopped (by its organizer, or the event's end) while ffmpeg started: undone as if never begun.
        if (attempt.stopped) throw new InvalidStateError('the file broadcast was stopped while it was starting');
        this.#events.goLive(slug);
      } catch (error) {
        publisher.close();
        throw error;
      }
      this.#running.set(slug, { publisher, dir: files.dir });
      publisher.once('exit', ({ reason, code }) => {
        this.#logger.info({ slug, reason, code }, 'file broadcast finished');
        // Only itself: a start under way for the same event is not stopped by this one's end.
        if (this.#running.get(slug)?.publisher === publisher) void this.#stopRunning(slug);
      });
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

  async #stopRunning(slug: string): Promise<void> {
    const running = this.#running.get(slug);
    if (!running) return;
    this.#running.delete(slug);
    running.publisher.close();
    await fs.rm(running.dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    for (const attempt of this.#starting.values()) attempt.stopped = true;
    await Promise.all([...this.#running.keys()].map((slug) => this.#stopRunning(slug)));
  }

  /** What {@link fileSource} needs of the files, each read only with an allowed demuxer. */
  async #check(files: UploadedFiles): Promise<Omit<FileSourceOptions, 'titleFile'>> {
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
