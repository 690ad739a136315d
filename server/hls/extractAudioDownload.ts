import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { recordingFiles } from '../../shared/recordingLayout';

/**
 * The audio-only rung joined into one small .m4a: the cheapest way to carry a speech to someone on a
 * throttled line, listenable offline. Stream copy, so it costs no encoding.
 */
export async function extractAudioDownload(recordingDir: string): Promise<void> {
  const target = path.join(recordingDir, recordingFiles.audioDownload);
  const temporary = path.join(recordingDir, `.${recordingFiles.audioDownload}.tmp.m4a`);
  const playlist = path.join(recordingDir, recordingFiles.audioPlaylist);
  await fs.access(playlist);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-allowed_extensions', 'ALL', '-i', playlist,
        '-map', '0:a:0', '-c', 'copy', '-movflags', '+faststart', temporary],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr.slice(-500)}`))));
  });
  await fs.rename(temporary, target);
}
