import { videoRungs } from '../../shared/ladder';
import { recordingFiles, recordingUrl } from '../../shared/recordingLayout';
import { waitFor } from './browser';
import { segmentUris } from './playlists';
import type { TestServer } from './testServer';

/** Resolves once the event's HLS ladder has a few segments of every rung to play. */
export async function waitForLadder(test: TestServer, slug: string, segments = 3): Promise<void> {
  const count = async () => {
    const response = await fetch(`${test.url}${recordingUrl(slug, recordingFiles.rungPlaylist(videoRungs[0].name))}`);
    return response.ok ? segmentUris(await response.text()).length : 0;
  };
  const found = await waitFor(count, (n) => n >= segments, 40_000, 500);
  if (found < segments) throw new Error(`the ladder of ${slug} has ${found} segments`);
}
