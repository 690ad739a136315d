import os from 'node:os';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingUrls } from '../../../../shared/recordingLayout';
import { waitFor } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';
import { readPlayer } from '../../../helpers/watchPage';

/**
 * This machine's own non-loopback IPv4 address: Chromium treats 127.0.0.1 and localhost as secure, so
 * only another address over plain http makes the page an insecure context, as an organizer testing from
 * a second device sees it.
 */
function ownAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((info) => info !== undefined && info.family === 'IPv4' && !info.internal);
  if (address === undefined) throw new Error('this machine has no non-loopback IPv4 address to test over');
  return address.address;
}

// Listening on every address, so that the page can also be opened from a non-loopback one.
const test = withServerAndBrowser({ env: { HOST: '0.0.0.0' } });
let slug: string;

/** This server over plain http from this machine's own non-loopback address. */
function insecureUrl(path: string): string {
  return `http://${ownAddress()}:${new URL(test.url).port}${path}`;
}

function insecureWatchUrl(): string {
  return insecureUrl(`/e/${slug}`);
}

beforeAll(async () => {
  ({ slug } = await test.broadcast('Plain http rally'));
});

describe('a watch page opened over plain http from another address', () => {
  it('goes to HLS without creating any WebRTC connection and says the fast connection needs https://', async () => {
    const page = await test.browser.newPage();
    // Counts the peer connections the page makes: mediasoup-client's receive transport would be one.
    await page.addInitScript(() => {
      const counted = window as unknown as { peerConnections: number };
      counted.peerConnections = 0;
      const Native = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Native {
        constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
          super(...args);
          counted.peerConnections += 1;
        }
      };
    });
    const paths: Array<string | null> = [];
    await page.goto(insecureWatchUrl());
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const view = await waitFor(
      async () => {
        const current = await readPlayer(page);
        paths.push(current.path);
        return current;
      },
      (v) => v.path === 'hls' && v.connection === 'connected',
    );
    expect(view.path).toBe('hls');
    expect(paths).not.toContain('webrtc');
    expect(await page.evaluate(() => (window as unknown as { peerConnections: number }).peerConnections)).toBe(0);
    const notice = page.getByTestId('delivery-path');
    expect(await notice.getAttribute('data-reason')).toBe('insecure page');
    expect(await notice.textContent()).toContain('needs a secure (https://) page');
  });
});

/** The page of the browser without MSE. */
let page: Page;

/** The playlist each media element was given, as a path. */
function sources(): Promise<{ video: string | null; audio: string | null }> {
  return page.evaluate(() => {
    const src = (id: string) => {
      const value = document.querySelector(`[data-testid="${id}"]`)?.getAttribute('src');
      return value ? new URL(value, location.href).pathname : null;
    };
    return { video: src('watch-video'), audio: src('watch-audio') };
  });
}

describe('watching in a browser without Media Source Extensions but with native HLS', () => {
  beforeAll(async () => {
    page = await test.browser.newPage();
    // Safari on iOS before 17.1, as far as the page can tell: no Media Source Extensions, and a media
    // element that claims HLS (Chromium on Linux has no native HLS player to actually play it).
    await page.addInitScript(() => {
      const global = window as unknown as Record<string, unknown>;
      delete global.MediaSource;
      delete global.ManagedMediaSource;
      const canPlayType = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type: string) {
        return type === 'application/vnd.apple.mpegurl' ? 'maybe' : canPlayType.call(this, type);
      };
    });
  });

  it('gives the video element the live master playlist instead of saying the browser cannot play', async () => {
    // Over plain http the page goes to HLS at once (see above), the path this test is about.
    await page.goto(insecureWatchUrl());
    expect(await page.evaluate(() => typeof (window as unknown as { MediaSource?: unknown }).MediaSource)).toBe('undefined');
    const view = await waitFor(() => readPlayer(page), (v) => v.path === 'hls');
    expect(view.path).toBe('hls');
    expect(view.connection).not.toBe('failed');
    expect(await sources()).toEqual({ video: recordingUrls(slug).liveMaster, audio: null });
    expect(await page.textContent('body')).not.toContain('cannot play');
  });

  it('gives the audio element the AAC audio rung’s live playlist when the attendee asks for sound only', async () => {
    await page.getByTestId('audio-only-toggle').check();
    const audioOnly = await waitFor(sources, (s) => s.audio !== null);
    expect(audioOnly).toEqual({ video: null, audio: recordingUrls(slug).liveAudioOnly });
    expect((await readPlayer(page)).mode).toBe('audio');
  });
});

// The organizer testing over plain http: on the same server, to spare the suite another start.
describe('the studio opened over plain http from another address', () => {
  it('says the camera needs HTTPS and points to TLS and to going live with a recording', async () => {
    const { slug: scheduled, eventKey } = await createEvent(test, 'Plain http studio');
    const studio = await test.browser.newPage();
    await studio.goto(insecureUrl(`/studio/${scheduled}`));
    await studio.getByTestId('organizer-key-input').fill(eventKey);
    await studio.getByTestId('organizer-key-save').click();
    const problem = await waitFor(
      () => studio.getByTestId('camera-problem').textContent({ timeout: 10_000 }),
      (text) => text !== null,
    );
    expect(problem).toContain('this page was opened over plain http');
    expect(problem).toContain('nginx with TLS');
    expect(problem).toContain('prepared recording');
    expect(await studio.getByTestId('go-live').isDisabled()).toBe(true);
    await studio.close();
  });
});
