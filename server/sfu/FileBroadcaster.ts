import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileBroadcastResponse } from '../../shared/events';
import { BadRequestError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { FfmpegPublisher } from './FfmpegPublisher';
import { fileSource } from './fileSource';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import { isStillImage, probeMedia } from './probeMedia';

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

  /** Checks the files, then puts the event live (if it was not) with the file as its media. */
  async start(slug: string, files: UploadedFiles): Promise<FileBroadcastResponse> {
    try {
      const info = await this.#check(files);
      const titleFile = path.join(files.dir, 'title.txt');
      await fs.writeFile(titleFile, this.#events.get(slug).title);
      await this.stop(slug);
      this.#events.goLive(slug);
      const room = await this.#rooms.getOrCreate(slug);
      const publisher = await FfmpegPublisher.start(
        room,
        fileSource({ media: files.media, mediaHasVideo: info.hasVideo, durationSeconds: info.durationSeconds, image: files.image, titleFile }),
        this.#logger.child({ slug, module: 'file-broadcast' }),
      );
      this.#running.set(slug, { publisher, dir: files.dir });
      publisher.once('exit', ({ reason, code }) => {
        this.#logger.info({ slug, reason, code }, 'file broadcast finished');
        void this.stop(slug);
      });
      return { durationSeconds: Math.round(info.durationSeconds), hasVideo: info.hasVideo || files.image !== undefined };
    } catch (error) {
      await fs.rm(files.dir, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(slug: string): Promise<void> {
    const running = this.#running.get(slug);
    if (!running) return;
    this.#running.delete(slug);
    running.publisher.close();
    await fs.rm(running.dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((slug) => this.stop(slug)));
  }

  async #check(files: UploadedFiles): Promise<{ hasVideo: boolean; durationSeconds: number }> {
    const media = await probeMedia(files.media);
    if (!media || isStillImage(media)) throw new BadRequestError('the file is not an audio or video recording');
    if (!media.hasAudio) throw new BadRequestError('the recording has no sound: a speech needs an audio track');
    if (!media.durationSeconds) throw new BadRequestError('the recording has no duration');
    if (media.durationSeconds > this.#limits.maxSeconds) {
      const max = this.#limits.maxSeconds;
      throw new BadRequestError(`the recording is longer than ${max >= 60 ? `${Math.round(max / 60)} minutes` : `${max} seconds`}`);
    }
    if (files.image) {
      const image = await probeMedia(files.image);
      if (!image || !isStillImage(image)) throw new BadRequestError('the picture is not an image (use JPEG, PNG or WebP)');
    }
    return { hasVideo: media.hasVideo, durationSeconds: media.durationSeconds };
  }
}
