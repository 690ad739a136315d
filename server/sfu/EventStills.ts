import fs from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import { IMAGE_DEMUXERS, probeMedia } from './probeMedia';
import { fitPicture, renderSlate } from './slate';

/** What the "hold" slate says above the event's title while a finished file waits for the organizer. */
export const BACK_SOON_TEXT = 'We will be right back';
/** The same in Urdu, beneath it: the slate is seen by an audience that may not read English. */
export const BACK_SOON_TEXT_UR = 'ہم جلد واپس آئیں گے';

const PICTURE = 'picture.png';
const TITLE_SLATE = 'title.png';
const BACK_SOON_SLATE = 'back-soon.png';

/**
 * The pictures an event shows when its organizer sends sound without a picture: the one the organizer
 * uploaded, else a title slate; and the "we will be right back" slate held after a file broadcast.
 * Each is a PNG this server wrote (an upload is re-encoded, never read again as uploaded), kept per
 * event under one directory, and made once: a slate is rendered on first use.
 */
export interface EventStillsEvents {
  /** The organizer gave a new picture: a run packaging the old one should start again with it. */
  pictureChanged: [slug: string];
}

export class EventStills extends SafeEmitter<EventStillsEvents> {
  readonly #dir: string;
  readonly #events: EventService;
  readonly #logger: Logger;
  /** Slates being rendered: concurrent askers share one ffmpeg. */
  readonly #rendering = new Map<string, Promise<string>>();

  constructor(dir: string, events: EventService, logger: Logger) {
    super(logger);
    this.#dir = dir;
    this.#events = events;
    this.#logger = logger;
  }

  /** The still that stands in for the camera: the organizer's picture if there is one, else the title slate. */
  async picture(slug: string): Promise<string> {
    const uploaded = path.join(this.#eventDir(slug), PICTURE);
    if (await exists(uploaded)) return uploaded;
    return this.#slate(slug, TITLE_SLATE, [this.#events.get(slug).title]);
  }

  /** The slate shown while a finished file broadcast holds for the organizer. */
  backSoon(slug: string): Promise<string> {
    return this.#slate(slug, BACK_SOON_SLATE, [BACK_SOON_TEXT, BACK_SOON_TEXT_UR, '', this.#events.get(slug).title]);
  }

  /**
   * Makes `upload` (removed afterwards, whatever happens) the event's picture. Read only as JPEG, PNG or
   * WebP; anything else is refused and the picture in use stays.
   * @throws BadRequestError when the file is not such a picture.
   */
  async setPicture(slug: string, upload: string): Promise<void> {
    try {
      const probed = await probeMedia(upload, IMAGE_DEMUXERS);
      if (probed.kind !== 'media' || !probed.info.hasVideo) throw new BadRequestError('the picture is not an image (use JPEG, PNG or WebP)');
      const dir = this.#eventDir(slug);
      await fs.mkdir(dir, { recursive: true });
      // Written aside, then renamed: a packager starting meanwhile reads the old picture or the new, never half of one.
      const fitted = path.join(dir, `${PICTURE}.new.png`);
      try {
        await fitPicture(upload, probed.info.demuxer, fitted, this.#logger);
      } catch (error) {
        await fs.rm(fitted, { force: true });
        this.#logger.warn({ err: error, slug }, 'an uploaded picture could not be read');
        throw new BadRequestError('the picture could not be read (use JPEG, PNG or WebP)');
      }
      await fs.rename(fitted, path.join(dir, PICTURE));
      this.emit('pictureChanged', slug);
    } finally {
      await fs.rm(upload, { force: true });
    }
  }

  /** Removes the event's pictures (it was deleted): its uploaded picture and every slate rendered for it. */
  async remove(slug: string): Promise<void> {
    await Promise.allSettled(this.#rendering.values());
    await fs.rm(this.#eventDir(slug), { recursive: true, force: true });
  }

  #eventDir(slug: string): string {
    return path.join(this.#dir, slug);
  }

  #slate(slug: string, name: string, lines: string[]): Promise<string> {
    const file = path.join(this.#eventDir(slug), name);
    let rendering = this.#rendering.get(file);
    if (!rendering) {
      rendering = this.#render(file, lines).finally(() => this.#rendering.delete(file));
      this.#rendering.set(file, rendering);
    }
    return rendering;
  }

  async #render(file: string, lines: string[]): Promise<string> {
    if (await exists(file)) return file;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.new.png`;
    try {
      await renderSlate(lines, partial, this.#logger);
      await fs.rename(partial, file);
    } finally {
      await fs.rm(partial, { force: true });
    }
    return file;
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
