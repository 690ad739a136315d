/**
 * A 3-hour event's playlists without waiting 3 hours: ffmpeg's per-rung playlists (and empty segment
 * files) are written as a packager would, and the real PlaylistComposer composes them into a live
 * event's recording directory on a real server, which serves them over HTTP. Measures what a player
 * loads (the live window, and the whole playlist a late joiner used to load), gzipped as served, and
 * what the composer costs per 500 ms tick at 10 minutes and at 3 hours.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PlaylistComposer } from '../server/hls/PlaylistComposer';
import { packagedRungNames, SEGMENT_SECONDS } from '../shared/ladder';
import { recordingFiles, recordingUrl, runFiles } from '../shared/recordingLayout';
import { createEvent, startTestServer } from '../test/helpers/testServer';

const SEGMENTS_AT_10_MINUTES = 300;
const SEGMENTS_AT_3_HOURS = 5_400;
const TICKS = 20;

/** ffmpeg's own playlist of one rung, as `-hls_flags program_date_time` writes it, `count` segments long. */
class FakeRung {
  readonly #dir: string;
  readonly #variant: number;
  #count = 0;
  #text: string;

  constructor(runDir: string, rung: string, variant: number) {
    this.#dir = path.join(runDir, rung);
    this.#variant = variant;
    this.#text = `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI="init_${variant}.mp4"\n`;
  }

  async grow(to: number): Promise<void> {
    await fs.mkdir(this.#dir, { recursive: true });
    await fs.writeFile(path.join(this.#dir, `init_${this.#variant}.mp4`), '');
    const start = Date.parse('2026-11-30T18:00:00.000Z');
    for (; this.#count < to; this.#count++) {
      const name = `seg_${String(this.#count).padStart(5, '0')}.m4s`;
      const date = new Date(start + this.#count * SEGMENT_SECONDS * 1000).toISOString().replace('Z', '+0000');
      this.#text += `#EXT-X-PROGRAM-DATE-TIME:${date}\n#EXTINF:2.000000,\n${name}\n`;
      await fs.writeFile(path.join(this.#dir, name), '');
    }
    await fs.writeFile(path.join(this.#dir, 'index.m3u8'), this.#text);
  }
}

/**
 * Bytes of one HTTP/1.1 response as they arrive on the socket: status line, headers and (gzipped) body.
 * `keepAlive`: as a browser asks (the connection kept for the next reload, which adds the server's
 * `Connection: keep-alive` and `Keep-Alive` lines); otherwise `Connection: close`.
 */
function wireBytes(port: number, urlPath: string, keepAlive: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const connection = keepAlive ? 'keep-alive' : 'close';
      socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nConnection: ${connection}\r\n\r\n`);
    });
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // A kept connection does not end: the response is whole once its declared length is in.
      const headEnd = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received.subarray(0, headEnd).toString('latin1'))?.[1];
      if (keepAlive && headEnd >= 0 && length !== undefined && received.byteLength >= headEnd + 4 + Number(length)) {
        socket.destroy();
        resolve(received.byteLength);
      }
    });
    socket.on('end', () => resolve(received.byteLength));
    socket.on('error', reject);
  });
}

/** CPU milliseconds of one compose, the median of `TICKS`: `grow` runs before each, untimed. */
async function tickMs(composer: PlaylistComposer, grow: () => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    await grow();
    const before = process.cpuUsage();
    await composer.compose({ ended: false });
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  return Number(samples[Math.floor(samples.length / 2)]!.toFixed(2));
}

export interface LongEventFigures {
  segments: number;
  rungs: {
    name: string;
    firstLoadBytes: number;
    firstLoadGzipBytes: number;
    wholePlaylistBytes: number;
    wholePlaylistGzipBytes: number;
    reloadWireBytes: number;
    reloadWireBytesKeepAlive: number;
  }[];
  composerCpuMsPerTick: { idleAt10Minutes: number; idleAt3Hours: number; newSegmentAt10Minutes: number; newSegmentAt3Hours: number };
}

export async function measureLongEvent(): Promise<LongEventFigures> {
  const test = await startTestServer({ MEDIASOUP_WORKERS: '1' });
  try {
    const { slug } = await createEvent(test, 'Three-hour rally');
    test.server.events.goLive(slug);
    const dir = test.server.hls.recordingDir(slug);
    const runDir = path.join(dir, recordingFiles.run(0));
    await fs.mkdir(runDir, { recursive: true });
    await fs.writeFile(path.join(runDir, runFiles.description), JSON.stringify({ hasVideo: true, hasAudio: true, startedAt: '' }));
    const names = packagedRungNames(true);
    const rungs = names.map((name, variant) => new FakeRung(runDir, name, variant));
    const growAll = async (to: number) => {
      for (const rung of rungs) await rung.grow(to);
    };
    const composer = new PlaylistComposer(dir);
    let count = SEGMENTS_AT_10_MINUTES;
    await growAll(count);
    await composer.compose({ ended: false });
    const idleAt10Minutes = await tickMs(composer, async () => undefined);
    const newSegmentAt10Minutes = await tickMs(composer, () => growAll(++count));

    count = SEGMENTS_AT_3_HOURS - TICKS;
    await growAll(count);
    await composer.compose({ ended: false });
    const idleAt3Hours = await tickMs(composer, async () => undefined);
    const newSegmentAt3Hours = await tickMs(composer, () => growAll(++count));

    const figures = [];
    for (const name of names) {
      const window = await fs.readFile(path.join(dir, recordingFiles.liveRungPlaylist(name)));
      const whole = await fs.readFile(path.join(dir, recordingFiles.rungPlaylist(name)));
      figures.push({
        name,
        firstLoadBytes: window.byteLength,
        firstLoadGzipBytes: gzipSync(window).byteLength,
        wholePlaylistBytes: whole.byteLength,
        wholePlaylistGzipBytes: gzipSync(whole).byteLength,
        // A reload fetches the window again: the same size, one segment on.
        reloadWireBytes: await wireBytes(test.server.port, recordingUrl(slug, recordingFiles.liveRungPlaylist(name)), false),
        reloadWireBytesKeepAlive: await wireBytes(test.server.port, recordingUrl(slug, recordingFiles.liveRungPlaylist(name)), true),
      });
    }
    return {
      segments: count,
      rungs: figures,
      composerCpuMsPerTick: { idleAt10Minutes, idleAt3Hours, newSegmentAt10Minutes, newSegmentAt3Hours },
    };
  } finally {
    await test.close();
  }
}
