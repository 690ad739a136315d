import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { progressOver, readPlayer } from '../../../helpers/watchPage';

const test = withServerAndBrowser();
let page: Page;
let slug: string;

beforeAll(async () => {
  const recorded = await test.broadcast('Recorded rally', { ladderSegments: 6 });
  slug = recorded.slug;
  recorded.publisher.close();
  test.server.events.end(slug);
  await test.server.hls.finished(slug);
  page = await test.browser.newPage();
});

describe('replaying a recording', () => {
  it('lists the ended event with its date, duration and poster', async () => {
    await page.goto(`${test.url}/replay`);
    const item = page.getByTestId('replay-item').filter({ hasText: 'Recorded rally' });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.textContent()).toMatch(/Duration \d+:\d\d/);
    const poster = await item.locator('img').evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth));
    expect(poster).toBeGreaterThan(0);
  });

  it('plays the recording with picture and sound from the list', async () => {
    await page.getByRole('link', { name: 'Recorded rally' }).click();
    await expect.poll(() => page.getByTestId('replay-title').textContent()).toBe('Recorded rally');
    await waitFor(() => readPlayer(page), (v) => v.mode === 'video' && v.video.playing);
    const progress = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0 && p.videoDecodedBytes > 0);
    expect(progress.seconds).toBeGreaterThan(1);
    expect(progress.audioDecodedBytes).toBeGreaterThan(0);
    expect(progress.videoDecodedBytes).toBeGreaterThan(0);
  });

  it('continues from the same moment in audio only, over the audio rung', async () => {
    const before = (await readPlayer(page)).video.currentTime;
    await page.getByTestId('audio-only-toggle').check();
    const audio = await waitFor(() => readPlayer(page), (v) => v.mode === 'audio' && v.audio.playing);
    expect(audio.video.playing).toBe(false);
    expect(audio.audio.currentTime).toBeGreaterThanOrEqual(before);
    expect(audio.audio.currentTime - before).toBeLessThan(5);
    const heard = await waitFor(() => progressOver(page, 2_000), (p) => p.seconds > 1 && p.audioDecodedBytes > 0);
    expect(heard.seconds).toBeGreaterThan(1);
  });

  it('seeks within the audio-only recording', async () => {
    await page.getByTestId('watch-audio').evaluate((audio: HTMLAudioElement) => {
      audio.currentTime = 1;
    });
    const sought = await waitFor(() => readPlayer(page), (v) => v.audio.playing && v.audio.currentTime > 1.5 && v.audio.currentTime < 6);
    expect(sought.audio.currentTime).toBeLessThan(6);
  });

  it('offers the sound as a single audio/mp4 download', async () => {
    const href = await page.getByTestId('audio-download').getAttribute('href');
    expect(href).toBe(`/hls/${slug}/audio.m4a`);
    const response = await page.request.get(`${test.url}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('audio/mp4');
    expect(response.headers()['content-disposition']).toContain('attachment');
    const body = await response.body();
    expect(body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(await page.getByTestId('audio-download').textContent()).toMatch(/\((\d+ KB|\d+\.\d MB)\)/);
  });
});
