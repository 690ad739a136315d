import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emulateNetwork } from '../../../helpers/network';
import { uploadedFiles } from '../../../helpers/rawUpload';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

const test = withServerAndBrowser();

const filesOf = (slug: string) => uploadedFiles(test.dataDir, slug);

describe('uploading a recording from the studio', () => {
  it('shows the upload’s progress, and cancelling it leaves no file on the server and the event unchanged', async () => {
    const { slug, eventKey } = await createEvent(test, 'Upload from the studio');
    const studio = await test.browser.newPage();
    try {
      await studio.goto(`${test.url}/studio/${slug}`);
      await studio.getByTestId('organizer-key-input').fill(eventKey);
      await studio.getByTestId('organizer-key-save').click();
      await studio.getByTestId('file-broadcast-media').setInputFiles({
        name: 'speech.wav',
        mimeType: 'audio/wav',
        buffer: crypto.randomBytes(2 * 1024 * 1024),
      });
      // A slow link (about 100 kB/s up): the upload takes long enough to watch and to cancel.
      const throttle = await emulateNetwork(studio);
      await throttle({ kbps: 800, latencyMs: 50 });
      await studio.getByTestId('file-broadcast-start').click();

      await expect.poll(() => studio.getByTestId('upload-text').textContent(), { timeout: 10_000 }).toMatch(/^Uploading… [1-9]\d? % of 2\.0 MB$/);
      expect(Number(await studio.getByTestId('upload-progress').getAttribute('value'))).toBeGreaterThan(0);
      await expect.poll(() => filesOf(slug), { timeout: 10_000 }).toEqual(['media']);

      await studio.getByTestId('upload-cancel').click();
      await expect.poll(() => studio.getByTestId('upload-progress').count()).toBe(0);
      expect(await studio.getByTestId('file-broadcast-start').isEnabled()).toBe(true);
      expect(await studio.getByRole('alert').count()).toBe(0);
      await expect.poll(() => filesOf(slug), { timeout: 5_000 }).toEqual([]);
      expect(test.server.events.get(slug).status).toBe('scheduled');
      expect(test.server.fileBroadcasts.isRunning(slug)).toBe(false);
    } finally {
      await studio.close();
    }
  });
});
