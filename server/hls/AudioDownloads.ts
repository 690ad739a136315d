import fs from 'node:fs/promises';
import path from 'node:path';
import { recordingFiles } from '../../shared/recordingLayout';
import { UnavailableError } from '../errors';
import { FfmpegProcess } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';

/** A recording whose download could not be made is not tried again for this long: each try is an ffmpeg. */
const RETRY_FAILED_MS = 60_000;

/**
 * The audio-only rung of each recording joined into one small .m4a: the cheapest way to carry a speech
 * to someone on a throttled line, listenable offline. Stream copy, so it costs no encoding. A request
 * may ask for a download that is missing (its finishing failed, or was interrupted): however many ask
 * at once, one ffmpeg makes it, and a failure holds the next try back for a while.
 */
export class AudioDownloads {
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #running = new Map<string, Promise<void>>();
  readonly #failedAt = new Map<string, number>();
  #runs = 0;

  constructor(logger: Logger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
  }

  /** ffmpeg runs started so far. */
  get runs(): number {
    return this.#runs;
  }

  /** Makes the download in `recordingDir` again; callers meanwhile share the run under way. */
  extract(recordingDir: string): Promise<void> {
    let running = this.#running.get(recordingDir);
    if (!running) {
      running = this.#run(recordingDir).finally(() => this.#running.delete(recordingDir));
      this.#running.set(recordingDir, running);
    }
    return running;
  }

  /** Makes the download only if it is not there and can be made; refuses while a failed run is recent. */
  async ensure(recordingDir: string): Promise<void> {
    if (await exists(path.join(recordingDir, recordingFiles.audioDownload))) return;
    if (!(await exists(path.join(recordingDir, recordingFiles.audioPlaylist)))) return;
    const failedAt = this.#failedAt.get(recordingDir);
    if (failedAt !== undefined && this.#now() - failedAt < RETRY_FAILED_MS && !this.#running.has(recordingDir)) {
      throw new UnavailableError('the audio download of this recording cannot be made now; try again later');
    }
    await this.extract(recordingDir).catch(() => {
      throw new UnavailableError('the audio download of this recording cannot be made now; try again later');
    });
  }

  async #run(recordingDir: string): Promise<void> {
    const target = path.join(recordingDir, recordingFiles.audioDownload);
    const temporary = path.join(recordingDir, `.${recordingFiles.audioDownload}.tmp.m4a`);
    const playlist = path.join(recordingDir, recordingFiles.audioPlaylist);
    try {
      this.#runs += 1;
      const ffmpeg = await FfmpegProcess.start(
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-allowed_extensions', 'ALL', '-i', playlist,
          '-map', '0:a:0', '-c', 'copy', '-movflags', '+faststart', temporary],
        { logger: this.#logger },
      );
      const { reason, code } = await ffmpeg.exited;
      if (reason !== 'exited') throw new Error(`ffmpeg ${reason} (${code}): ${ffmpeg.stderr.slice(-500)}`);
      await fs.rename(temporary, target);
      this.#failedAt.delete(recordingDir);
    } catch (error) {
      this.#failedAt.set(recordingDir, this.#now());
      throw error;
    }
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
