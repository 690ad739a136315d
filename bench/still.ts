/**
 * npm run bench:still
 * What the picture costs when the organizer sends sound alone (a microphone, the camera off): a real
 * server packages a looped espeak-ng speech published without video, over the title slate and then
 * over a busy picture (a frame of ffmpeg's testsrc2, the worst case of a photograph), and reads the
 * segments it wrote. Per rung: mean bytes per 2 s segment, and what the picture adds to the sound of
 * the same rung (the audio-only rung carries the 32 kbps AAC that the 180p rung carries too). Also the
 * poster's size. Writes bench/results/still.json.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { audioRung, SEGMENT_SECONDS, videoRungs } from '../shared/ladder';
import { recordingFiles } from '../shared/recordingLayout';
import { createLogger } from '../server/logger';
import { FfmpegPublisher } from '../server/sfu/FfmpegPublisher';
import { speechTrack } from '../server/sfu/speechTrack';
import { waitForLadder } from '../test/helpers/ladder';
import { createEvent, startTestServer, type TestServer } from '../test/helpers/testServer';
import { writeResult } from './writeResult';

const SEGMENTS = Number(process.env.SEGMENTS ?? 12);
const logger = createLogger('silent');

/** Mean size of the run's whole segments of `rung`, leaving out the first (start-up) and the newest (being written). */
async function meanSegmentBytes(dir: string, rung: string): Promise<number> {
  const rungDir = path.join(dir, recordingFiles.runRung(0, rung));
  const names = (await fs.readdir(rungDir)).filter((name) => name.endsWith('.m4s')).sort().slice(1, -1);
  const sizes = await Promise.all(names.map(async (name) => (await fs.stat(path.join(rungDir, name))).size));
  return Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length);
}

async function measure(test: TestServer, title: string, picture?: string) {
  const { slug } = await createEvent(test, title);
  if (picture) {
    const upload = path.join(test.dataDir, `${slug}-upload.png`);
    await fs.copyFile(picture, upload);
    await test.server.stills.setPicture(slug, upload);
  }
  test.server.events.goLive(slug);
  const speech = await speechTrack(logger);
  const source = speech ? ['-re', '-stream_loop', '-1', '-i', speech] : ['-re', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000'];
  const publisher = await FfmpegPublisher.start(await test.server.rooms.getOrCreate(slug), { inputArgs: source, audio: '0:a:0' }, logger);
  try {
    await waitForLadder(test, slug, SEGMENTS);
    const dir = test.server.hls.recordingDir(slug);
    const sound = await meanSegmentBytes(dir, audioRung.name);
    const rungs = Object.fromEntries(
      await Promise.all(
        videoRungs.map(async (rung) => {
          const bytes = await meanSegmentBytes(dir, rung.name);
          // The rung's own AAC is encoded at its own rate: subtract that, not the audio rung's.
          const itsSound = Math.round((sound * rung.audioKbps) / audioRung.audioKbps);
          return [rung.name, { segmentBytes: bytes, pictureBytesPerSegment: bytes - itsSound, pictureKbps: Number((((bytes - itsSound) * 8) / SEGMENT_SECONDS / 1000).toFixed(1)) }];
        }),
      ),
    );
    const poster = (await fs.stat(path.join(dir, recordingFiles.poster))).size;
    return { speech: speech !== undefined, audioRungSegmentBytes: sound, rungs, posterBytes: poster };
  } finally {
    publisher.close();
  }
}

const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-bench-still-'));
const busy = path.join(scratch, 'busy.png');
await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720', '-frames:v', '1', busy]);
const test = await startTestServer();
try {
  const titleSlate = await measure(test, 'Bench rally with the camera off');
  const busyPicture = await measure(test, 'Bench rally with a picture', busy);
  await writeResult('still', { segmentSeconds: SEGMENT_SECONDS, segmentsWaitedFor: SEGMENTS, titleSlate, busyPicture });
} finally {
  await test.close();
  await fs.rm(scratch, { recursive: true, force: true });
}
