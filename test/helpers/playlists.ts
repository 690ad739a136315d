import fs from 'node:fs/promises';
import path from 'node:path';
import { parseMediaPlaylist } from '../../server/hls/PlaylistComposer';

/** One of a recording's files as text (a path from `recordingFiles`), or '' while it does not exist yet. */
export function readRecordingFile(dir: string, file: string): Promise<string> {
  return fs.readFile(path.join(dir, file), 'utf8').catch(() => '');
}

/** The segments a media playlist lists, in order: URIs relative to the recording's directory. */
export function segmentUris(playlist: string): string[] {
  return parseMediaPlaylist(playlist).segments.map((segment) => segment.uri);
}
