import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingUrls } from '../../../../shared/recordings';
import { waitFor } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { readPlayer } from '../../../helpers/watchPage';

// No WebRTC seat: the server sends the attendee straight to HLS, the path this test is about.
const test = withServerAndBrowser({ env: { WEBRTC_SEATS_PER_WORKER: '0' } });
let page: Page;
let slug: string;

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

beforeAll(async () => {
  ({ slug } = await test.broadcast('Safari rally'));
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

describe('watching in a browser without Media Source Extensions but with native HLS', () => {
  it('gives the video element the live master playlist instead of saying the browser cannot play', async () => {
    await page.goto(`${test.url}/e/${slug}`);
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
