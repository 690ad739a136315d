import fs from 'node:fs/promises';
import path from 'node:path';
import { recordingFiles, runFiles } from '../../shared/recordingLayout';
import { FfmpegProcess } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';
import type { RtpTap } from '../sfu/RtpTap';
import { SafeEmitter } from '../SafeEmitter';
import { packagerArgs } from './packagerArgs';

export interface PackagerRunEvents {
  /** ffmpeg ended without being asked to: it crashed or could not write. */
  crashed: [code: number | null, signal: NodeJS.Signals | null];
}

/** Written next to a run's output (`runFiles.description`): what the run carried, for composing playlists after the fact. */
export interface RunDescription {
  /** The run wrote video rungs: from the organizer's camera, or from a still picture (`still`). */
  hasVideo: boolean;
  /** The video is a still picture standing in for a camera the organizer did not send. */
  still?: boolean;
  hasAudio: boolean;
  startedAt: string;
}

/** How long ffmpeg gets to finish its last segment when stopped before it is killed. */
const STOP_GRACE_MS = 5_000;

/** One ffmpeg process writing one run directory. */
export class PackagerRun extends SafeEmitter<PackagerRunEvents> {
  readonly number: number;
  readonly #process: FfmpegProcess;

  private constructor(number: number, ffmpeg: FfmpegProcess, logger: Logger) {
    super(logger);
    this.number = number;
    this.#process = ffmpeg;
    void ffmpeg.exited.then(({ reason, code, signal }) => {
      if (reason !== 'stopped') this.emit('crashed', code, signal);
    });
  }

  static async start(
    number: number,
    input: RtpTap,
    recordingDir: string,
    posterFile: string,
    stillFile: string | undefined,
    logger: Logger,
  ): Promise<PackagerRun> {
    const runDir = path.join(recordingDir, recordingFiles.run(number));
    await fs.mkdir(runDir, { recursive: true });
    const sdpFile = path.join(runDir, runFiles.sdp);
    await fs.writeFile(sdpFile, input.sdp);
    const still = !input.hasVideo && stillFile !== undefined;
    const description: RunDescription = {
      hasVideo: input.hasVideo || still,
      ...(still ? { still } : {}),
      hasAudio: input.hasAudio,
      startedAt: new Date().toISOString(),
    };
    await fs.writeFile(path.join(runDir, runFiles.description), JSON.stringify(description));
    const args = packagerArgs({ sdpFile, runDir, posterFile, hasVideo: input.hasVideo, hasAudio: input.hasAudio, stillFile });
    const runLogger = logger.child({ run: number });
    const ffmpeg = await FfmpegProcess.start(args, { logger: runLogger, stopGraceMs: STOP_GRACE_MS });
    return new PackagerRun(number, ffmpeg, runLogger);
  }

  /** The end of what ffmpeg complained about, for logs. */
  get stderr(): string {
    return this.#process.stderr;
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** SIGINT lets ffmpeg close its last segment and playlist cleanly. */
  async stop(): Promise<void> {
    await this.#process.stop();
  }
}
