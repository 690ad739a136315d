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

/** A live master as the composer writes it: one video rung and the audio-only one, relative URIs. */
export const composedLiveMaster = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-STREAM-INF:BANDWIDTH=158400,CODECS="avc1.42e01e,mp4a.40.2",RESOLUTION=320x180',
  '180p.live.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2"',
  'audio.live.m3u8',
  '',
].join('\n');
