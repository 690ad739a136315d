import type { Browser, CDPSession } from 'playwright-core';
import { applyNetworkProfile, type NetworkProfile } from '../test/helpers/network';

/** Bytes received by the page over the network (headers included), as Chromium counts them. */
export function countBytes(cdp: CDPSession): () => number {
  const perRequest = new Map<string, number>();
  cdp.on('Network.dataReceived', ({ requestId, encodedDataLength }) => {
    perRequest.set(requestId, (perRequest.get(requestId) ?? 0) + encodedDataLength);
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    perRequest.set(requestId, encodedDataLength);
  });
  return () => [...perRequest.values()].reduce((a, b) => a + b, 0);
}

// A string, so that no helper the bundler adds to named functions has to exist in the page.
const SOUND_SCRIPT = `[...document.querySelectorAll('video, audio')].some(
  (e) => !e.paused && e.currentTime > 0 && (e.webkitAudioDecodedByteCount ?? 0) > 0,
)`;
const SAMPLE_MS = 100;

export interface ColdLoad {
  /** From navigation to the first decoded sound; null when none came within the limit. */
  firstSoundSeconds: number | null;
  /** Everything the page received until then (HTML, scripts, playlists, segments, headers included). */
  bytesBeforeFirstSound: number | null;
}

/** A first visit (fresh context, empty cache) on a link shaped to `profile` from the first request. */
export async function coldLoad(browser: Browser, url: string, profile: NetworkProfile, limitMs: number): Promise<ColdLoad> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const bytes = countBytes(cdp);
    await applyNetworkProfile(cdp, profile);
    const start = Date.now();
    void page.goto(url, { timeout: limitMs }).catch(() => undefined);
    while (Date.now() - start < limitMs) {
      if (await page.evaluate(SOUND_SCRIPT).catch(() => false)) {
        return { firstSoundSeconds: Number(((Date.now() - start) / 1000).toFixed(1)), bytesBeforeFirstSound: bytes() };
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
    return { firstSoundSeconds: null, bytesBeforeFirstSound: null };
  } finally {
    await context.close();
  }
}
