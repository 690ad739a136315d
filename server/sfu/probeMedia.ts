import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

/**
 * The only demuxers an uploaded file is read with, named as ffmpeg 5.1 names them (`ffmpeg -demuxers`):
 * containers that hold one recording, or one picture. ffmpeg otherwise picks the demuxer from the file's
 * content, and some of them are playlists (HLS, DASH, concat) that open further files: an uploaded
 * playlist naming a file elsewhere on this server's disk would broadcast it.
 */
export const RECORDING_DEMUXERS = ['mov', 'matroska', 'mp3', 'ogg', 'wav', 'flac', 'aac'] as const;
export const IMAGE_DEMUXERS = ['png_pipe', 'jpeg_pipe', 'webp_pipe'] as const;
/** Demuxers whose files name other files: refused with a reason of their own. */
const PLAYLIST_DEMUXERS = new Set(['hls', 'dash', 'concat', 'webm_dash_manifest']);

/**
 * ffmpeg's input options that read `file` with `demuxer` and nothing else: no guessing from the content,
 * and no protocol but the local file itself (no http, no data:, no nested opens through others).
 */
export function uploadedInputArgs(demuxer: string): string[] {
  return ['-f', demuxer, '-protocol_whitelist', 'file'];
}

const ProbeOutput = z.object({
  streams: z.array(z.object({ codec_type: z.string(), codec_name: z.string().optional() })).default([]),
  format: z.object({ duration: z.string().optional(), format_name: z.string().optional() }).default({}),
});

export interface MediaInfo {
  hasAudio: boolean;
  hasVideo: boolean;
  /** Still images report a single frame and no duration. */
  durationSeconds: number | undefined;
  /** The allowed demuxer that read the file: pass it to ffmpeg with {@link uploadedInputArgs}. */
  demuxer: string;
}

/**
 * What ffprobe sees in an uploaded file: `media` when one of `demuxers` reads it, `refused` (with the
 * demuxer ffprobe picked, e.g. `hls`) when ffmpeg knows the format but it is not allowed, `unreadable`
 * when it is not media at all.
 */
export type ProbeResult =
  | { kind: 'media'; info: MediaInfo }
  | { kind: 'refused'; format: string; playlist: boolean }
  | { kind: 'unreadable' };

export async function probeMedia(file: string, demuxers: readonly string[]): Promise<ProbeResult> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      'ffprobe',
      ['-v', 'error', '-format_whitelist', demuxers.join(','), '-protocol_whitelist', 'file',
        '-show_entries', 'stream=codec_type,codec_name:format=duration,format_name', '-of', 'json', file],
      { timeout: 30_000, maxBuffer: 1024 * 1024 },
    ));
  } catch (error) {
    return refusal(String((error as { stderr?: unknown }).stderr ?? ''));
  }
  const parsed = ProbeOutput.safeParse(safeJson(stdout));
  const demuxer = parsed.success ? parsed.data.format.format_name?.split(',').find((name) => demuxers.includes(name)) : undefined;
  if (!parsed.success || demuxer === undefined) return { kind: 'unreadable' };
  const duration = Number(parsed.data.format.duration);
  return {
    kind: 'media',
    info: {
      hasAudio: parsed.data.streams.some((s) => s.codec_type === 'audio'),
      hasVideo: parsed.data.streams.some((s) => s.codec_type === 'video'),
      durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : undefined,
      demuxer,
    },
  };
}

/** ffprobe names the demuxer it refused: `[hls @ 0x55…] Format not on whitelist '…'`. */
function refusal(stderr: string): ProbeResult {
  const format = /\[([^\s@\]]+) @ 0x[0-9a-f]+\] Format not on whitelist/.exec(stderr)?.[1];
  if (format === undefined) return { kind: 'unreadable' };
  return { kind: 'refused', format, playlist: format.split(',').some((name) => PLAYLIST_DEMUXERS.has(name)) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
