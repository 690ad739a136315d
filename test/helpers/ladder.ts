import { videoRungs } from '../../shared/ladder';
import { recordingFiles, recordingUrl } from '../../shared/recordingLayout';
import { waitFor } from './browser';
import { segmentUris } from './playlists';
import type { TestServer } from './testServer';

/** Segments the event's lowest video rung lists now (0 before it has a playlist). */
export async function ladderSegments(test: TestServer, slug: string): Promise<number> {
  const response = await fetch(`${test.url}${recordingUrl(slug, recordingFiles.rungPlaylist(videoRungs[0].name))}`);
  return response.ok ? segmentUris(await response.text()).length : 0;
}

/** Resolves once the event's HLS ladder has a few segments of every rung to play. */
export async function waitForLadder(test: TestServer, slug: string, segments = 3): Promise<void> {
  const found = await waitFor(() => ladderSegments(test, slug), (n) => n >= segments, 40_000, 500);
  if (found < segments) throw new Error(`the ladder of ${slug} has ${found} segments`);
}
