/**
 * npm run bench:hls [-- --seconds 30]
 * Encoder CPU of the HLS packager, live latency in hls.js, and segment sizes per rung (with audioKbps
 * for each audio-only rung), for a 720p synthetic broadcast carrying speech, fed through the SFU.
 * Writes bench/results/hls.json.
 * Then a 3-hour event's playlists (see longEvent.ts): first-load and reload bytes per rung and the
 * composer's cost per tick.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMediaPlaylist } from '../server/hls/PlaylistComposer';
import { createLogger } from '../server/logger';
import { FfmpegPublisher } from '../server/sfu/FfmpegPublisher';
import { speechTrack } from '../server/sfu/speechTrack';
import { testPatternSource } from '../server/sfu/testPatternSource';
import { audioRung, audioRungs, packagedRungNames } from '../shared/ladder';
import { recordingFiles } from '../shared/recordingLayout';
import { recordingUrls } from '../shared/recordingLayout';
import { launchChromium, waitFor } from '../test/helpers/browser';
import { readRecordingFile } from '../test/helpers/playlists';
import { createEvent, startTestServer } from '../test/helpers/testServer';
import { measureLongEvent } from './longEvent';
import { measureCpuCores } from './processCpu';
import { writeResult } from './writeResult';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });
const seconds = Number(values.seconds);

const logger = createLogger('silent');
const speech = await speechTrack(logger);
if (!speech) throw new Error('bench:hls measures speech: install espeak-ng (scripts/setup.sh)');
const test = await startTestServer({ MEDIASOUP_WORKERS: '1' });
const { slug } = await createEvent(test, 'HLS benchmark');
test.server.events.goLive(slug);
const publisher = await FfmpegPublisher.start(await test.server.rooms.getOrCreate(slug), testPatternSource({ speech }), logger);
const dir = test.server.hls.recordingDir(slug);
const readPlaylist = (rung: string) => readRecordingFile(dir, recordingFiles.rungPlaylist(rung));

try {
  await waitFor(() => readPlaylist(audioRung.name), (p) => parseMediaPlaylist(p).segments.length >= 3, 60_000);

  const browser = await launchChromium();
  // The server's Content-Security-Policy refuses inline scripts, which is what addScriptTag inserts.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(`${test.url}/healthz`);
  await page.addScriptTag({ path: path.join(import.meta.dirname, '../node_modules/hls.js/dist/hls.min.js') });
  // Default hls.js live settings: what a stock player would see.
  await page.evaluate((src) => {
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    const Hls = (window as unknown as { Hls: new () => { loadSource(u: string): void; attachMedia(v: HTMLVideoElement): void; playingDate: Date | null } }).Hls;
    const hls = new Hls();
    hls.loadSource(src);
    hls.attachMedia(video);
    void video.play();
    (window as unknown as { hls: unknown }).hls = hls;
  }, recordingUrls(slug).master);

  const [cpu, latencies] = await Promise.all([
    measureCpuCores(test.server.hls.packager(slug)!.pid!, seconds * 1000),
    (async () => {
      const samples: number[] = [];
      const end = Date.now() + seconds * 1000;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 1000));
        const latency = await page.evaluate(() => {
          const date = (window as unknown as { hls: { playingDate: Date | null } }).hls.playingDate;
          return date ? (Date.now() - date.getTime()) / 1000 : null;
        });
        if (latency !== null) samples.push(latency);
      }
      return samples;
    })(),
  ]);
  await browser.close();

  const rungs = [];
  for (const name of packagedRungNames(true)) {
    // The newest segment may still be growing in ffmpeg's view; complete ones only.
    const segments = parseMediaPlaylist(await readPlaylist(name)).segments.slice(0, -1);
    const sizes = await Promise.all(segments.map((s) => fs.stat(path.join(dir, s.uri)).then((st) => st.size)));
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const duration = segments.reduce((a, s) => a + s.duration, 0);
    const audio = audioRungs.find((rung) => rung.name === name);
    rungs.push({
      name,
      bandwidth: Math.round((bytes * 8) / duration),
      // What an audio-only listener's link must carry, container included, on speech.
      ...(audio && { codecs: audio.codecs, audioKbps: Number(((bytes * 8) / duration / 1000).toFixed(1)) }),
      avgSegmentBytes: Math.round(bytes / sizes.length),
      segmentSeconds: Number((duration / segments.length).toFixed(3)),
    });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  await writeResult('hls', {
    encoderCpuCores: Number(cpu.toFixed(3)),
    liveLatencySeconds: Number((sorted[Math.floor(sorted.length / 2)] ?? Number.NaN).toFixed(2)),
    rungs,
    source: '1280x720 25 fps test pattern speaking (espeak-ng, looped), VP8 ~400 kbps and Opus 32 kbps into the SFU; latency = now - hls.js playingDate (EXT-X-PROGRAM-DATE-TIME), median',
    windowSeconds: seconds,
    threeHourEvent: await measureLongEvent(),
  });
} finally {
  publisher.close();
  await test.close();
}
