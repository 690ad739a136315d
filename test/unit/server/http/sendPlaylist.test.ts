import express from 'express';
import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePlaylist, PlaylistFiles, sendPlaylist } from '../../../../server/http/sendPlaylist';

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

describe('a playlist on a kept connection', () => {
  let server: Server;
  let port: number;
  beforeEach(async () => {
    const app = express();
    const playlist = encodePlaylist(Buffer.from('#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n'));
    app.get('/live.m3u8', (req, res) => sendPlaylist(req, res, playlist, 'max-age=1'));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  /** Sends `requests` one after the other on one connection; the head of each response, and whether the server closed it. */
  function onOneConnection(requests: string[]): Promise<{ heads: string[]; closed: boolean }> {
    return new Promise((resolve, reject) => {
      const heads: string[] = [];
      let received = '';
      const socket = net.connect(port, '127.0.0.1', () => socket.write(requests[0]!));
      const done = (closed: boolean) => {
        socket.destroy();
        resolve({ heads, closed });
      };
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        received += chunk;
        const headEnd = received.indexOf('\r\n\r\n');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(received)?.[1] ?? 0);
        if (headEnd < 0 || received.length < headEnd + 4 + length) return;
        heads.push(received.slice(0, headEnd));
        received = received.slice(headEnd + 4 + length);
        if (heads.length < requests.length) socket.write(requests[heads.length]!);
        // Whether the server closes the connection after the last answer: it would within a moment.
        else setTimeout(() => done(false), 200);
      });
      socket.on('end', () => done(true));
      socket.on('error', reject);
    });
  }

  it('keeps an HTTP/1.1 connection for the next reload without the keep-alive lines saying so', async () => {
    const reload = 'GET /live.m3u8 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n';
    const { heads, closed } = await onOneConnection([reload, reload]);
    expect(heads).toHaveLength(2);
    for (const head of heads) {
      expect(head).toMatch(/^HTTP\/1\.1 200 /);
      expect(head).not.toMatch(/^(connection|keep-alive):/im);
    }
    expect(closed).toBe(false);
  });

  it('still tells an HTTP/1.0 client its connection is kept, and one that asks for close that it is closed', async () => {
    const old = await onOneConnection(['GET /live.m3u8 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n']);
    expect(old.heads[0]).toMatch(/^connection: keep-alive$/im);
    const closing = await onOneConnection(['GET /live.m3u8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(closing.heads[0]).toMatch(/^connection: close$/im);
    expect(closing.closed).toBe(true);
  });
});
