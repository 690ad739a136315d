import type { CDPSession, Page } from 'playwright-core';

export interface NetworkProfile {
  kbps: number;
  latencyMs: number;
}

/** The profile the adaptive player is proven against: a fair mobile link, a 2G collapse, and back. */
export const GOOD: NetworkProfile = { kbps: 1_500, latencyMs: 40 };
export const COLLAPSE: NetworkProfile = { kbps: 40, latencyMs: 400 };
/** Emulation switched on without limits: WebRTC connections opened now are shaped by later profiles. */
export const UNLIMITED: NetworkProfile = { kbps: 1_000_000, latencyMs: 0 };

export type Throttle = (profile: NetworkProfile) => Promise<void>;

/**
 * Chromium's own network emulation over CDP. It shapes HTTP whenever applied, but WebRTC only on peer
 * connections opened while it was already on: apply UNLIMITED before the page connects.
 */
export async function emulateNetwork(page: Page): Promise<Throttle> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  return (profile) => applyNetworkProfile(cdp, profile);
}

/** Shapes the page of a CDP session (with its Network domain enabled) to the profile, both ways. */
export async function applyNetworkProfile(cdp: CDPSession, { kbps, latencyMs }: NetworkProfile): Promise<void> {
  const bytesPerSecond = (kbps * 1000) / 8;
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: latencyMs,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
  });
}
