import { waitFor } from './browser';
import type { TestServer } from './testServer';

/** Resolves once the event's HLS ladder has a few segments of every rung to play. */
export async function waitForLadder(test: TestServer, slug: string, segments = 3): Promise<void> {
  const count = async () => {
    const response = await fetch(`${test.url}/hls/${slug}/180p.m3u8`);
    return response.ok ? (await response.text()).split('\n').filter((line) => line.endsWith('.m4s')).length : 0;
  };
  const found = await waitFor(count, (n) => n >= segments, 40_000, 500);
  if (found < segments) throw new Error(`the ladder of ${slug} has ${found} segments`);
}
