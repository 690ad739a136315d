/**
 * npm run bench:serve [-- --seconds 8 --viewers 100]
 * HLS requests per second the Node server answers alone and through the shipped nginx cache
 * (deploy/nginx/jalsa.conf), on loopback, with wrk: playlists only, segments only, and simulated viewers
 * alternating playlist and segment as a player does. Writes bench/results/hls-serve.json.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMediaPlaylist } from '../server/hls/PlaylistComposer';
import { recordingFiles, recordingUrl } from '../shared/recordingLayout';
import { waitFor } from '../test/helpers/browser';
import { NginxProcess } from '../test/helpers/NginxProcess';
import { readRecordingFile } from '../test/helpers/playlists';
import { originRequests } from '../test/helpers/prometheus';
import { createEvent, publishTestPattern, startTestServer } from '../test/helpers/testServer';
import { wrk, type WrkResult } from './wrk';
import { writeResult } from './writeResult';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    viewers: { type: 'string', default: '100' },
    segments: { type: 'string', default: '6' },
  },
});
const load = { seconds: Number(values.seconds), connections: Number(values.viewers) };
const RUNG = '360p';

const test = await startTestServer({ MEDIASOUP_WORKERS: '1' });
let nginx: NginxProcess | undefined;
try {
  const { slug } = await createEvent(test, 'Serving benchmark');
  const dir = test.server.hls.recordingDir(slug);
  const publisher = await publishTestPattern(test, slug, {});
  const playlistFile = recordingFiles.rungPlaylist(RUNG);
  const finished = async () =>
    parseMediaPlaylist(await readRecordingFile(dir, playlistFile)).segments.slice(0, -1);
  const segments = await waitFor(finished, (s) => s.length >= Number(values.segments), 90_000);
  // Only serving is measured: the encoders stop, the event stays live (playlists keep their 1 s lifetime).
  publisher.close();

  const playlist = recordingUrl(slug, playlistFile);
  const segmentPaths = segments.map((s) => recordingUrl(slug, s.uri));
  const sizes = await Promise.all(segments.map((s) => fs.stat(path.join(dir, s.uri)).then((st) => st.size)));
  const viewerPaths = segmentPaths.flatMap((segment) => [playlist, segment]);

  nginx = await NginxProcess.start({ origin: `127.0.0.1:${test.server.port}` });
  const measure = async (base: string) => {
    const results: Record<string, WrkResult> = {};
    for (const [name, paths] of [['playlists', [playlist]], ['segments', segmentPaths], ['viewers', viewerPaths]] as const) {
      process.stdout.write(`${base}: ${name}…\n`);
      results[name] = await wrk(base, [...paths], load);
    }
    return results;
  };

  const node = await measure(test.url);
  const segmentsBefore = await originRequests(test.url, 'segment');
  const playlistsBefore = await originRequests(test.url, 'playlist');
  const cache = await measure(nginx.url);
  const originSegments = (await originRequests(test.url, 'segment')) - segmentsBefore;
  const originPlaylists = (await originRequests(test.url, 'playlist')) - playlistsBefore;

  const figures = (results: Record<string, WrkResult>) => ({
    requestsPerSecond: results.viewers!.requestsPerSecond,
    playlistRequestsPerSecond: results.playlists!.requestsPerSecond,
    segmentRequestsPerSecond: results.segments!.requestsPerSecond,
    segmentMegabytesPerSecond: results.segments!.megabytesPerSecond,
    latencyP99Ms: { playlists: results.playlists!.latencyP99Ms, segments: results.segments!.latencyP99Ms, viewers: results.viewers!.latencyP99Ms },
    errors: Object.values(results).reduce((sum, r) => sum + r.errors, 0),
  });
  await writeResult('hls-serve', {
    node: figures(node),
    cache: {
      ...figures(cache),
      originRequestsPerSegment: Number((originSegments / segments.length).toFixed(2)),
      originPlaylistRequestsPerSecond: Number((originPlaylists / (3 * load.seconds)).toFixed(2)),
    },
    concurrentViewers: load.connections,
    avgSegmentKilobytes: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024),
    method:
      `wrk, 1 thread, ${load.connections} connections, ${load.seconds} s per run, loopback; ${segments.length} ${RUNG} segments of the ` +
      '720p test pattern; "viewers" alternate playlist and segment requests (a player makes about one request a second, ' +
      'so requestsPerSecond ≈ viewers one process can keep fed); nginx with 1 worker',
  });
} finally {
  await nginx?.close();
  await test.close();
}
