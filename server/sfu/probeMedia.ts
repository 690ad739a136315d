import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

const ProbeOutput = z.object({
  streams: z.array(z.object({ codec_type: z.string(), codec_name: z.string().optional() })).default([]),
  format: z.object({ duration: z.string().optional(), format_name: z.string().optional() }).default({}),
});

export interface MediaInfo {
  hasAudio: boolean;
  hasVideo: boolean;
  /** Still images report a single frame and no duration. */
  durationSeconds: number | undefined;
  formatName: string;
}

/** What ffprobe sees in a file; undefined when it is not media ffmpeg can read at all. */
export async function probeMedia(file: string): Promise<MediaInfo | undefined> {
  try {
    const { stdout } = await run(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration,format_name', '-of', 'json', file],
      { timeout: 30_000, maxBuffer: 1024 * 1024 },
    );
    const parsed = ProbeOutput.parse(JSON.parse(stdout));
    const duration = Number(parsed.format.duration);
    return {
      hasAudio: parsed.streams.some((s) => s.codec_type === 'audio'),
      hasVideo: parsed.streams.some((s) => s.codec_type === 'video'),
      durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : undefined,
      formatName: parsed.format.format_name ?? '',
    };
  } catch {
    return undefined;
  }
}

/** Container formats ffprobe names for still images. */
export function isStillImage(info: MediaInfo): boolean {
  return /^(image2|png_pipe|jpeg_pipe|webp_pipe|gif)$/.test(info.formatName) && info.hasVideo && !info.hasAudio;
}
