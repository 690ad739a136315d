import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePlaylist, PlaylistFiles } from '../../../../server/http/sendPlaylist';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-playlists-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** Replaces the file as the composer does: a new file renamed over the old one. */
async function replace(file: string, text: string): Promise<void> {
  await fs.writeFile(`${file}.tmp`, text);
  await fs.rename(`${file}.tmp`, file);
}

describe('playlists encoded for the wire', () => {
  it('gzips a playlist to what it says and names its version with a short weak ETag', () => {
    const text = Buffer.from('#EXTM3U\n#EXT-X-VERSION:7\n');
    const playlist = encodePlaylist(text);
    expect(gunzipSync(playlist.gzip).equals(text)).toBe(true);
    expect(playlist.etag).toMatch(/^W\/"[\w-]{8}"$/);
    expect(encodePlaylist(Buffer.from('#EXTM3U\n')).etag).not.toBe(playlist.etag);
  });

  it('encodes each version of a file once, and the new one as soon as the composer replaces it', async () => {
    const file = path.join(dir, 'speech.live.m3u8');
    const files = new PlaylistFiles();
    await replace(file, '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n');
    const first = await files.read(file);
    expect(await files.read(file)).toBe(first);
    // Same length, same millisecond perhaps: the rename still makes it a new file.
    await replace(file, '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:2\n');
    const second = await files.read(file);
    expect(second.identity.toString()).toBe('#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:2\n');
    expect(second.etag).not.toBe(first.etag);
  });

  it('refuses a file that is gone', async () => {
    await expect(new PlaylistFiles().read(path.join(dir, 'missing.m3u8'))).rejects.toThrow();
  });
});
