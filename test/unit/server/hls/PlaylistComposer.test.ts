import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  appendToBlock,
  parseGaps,
  PlaylistComposer,
  renderMediaPlaylist,
  renderWindowPlaylist,
  type RunBlock,
} from '../../../../server/hls/PlaylistComposer';
import { parseMediaPlaylist as parseClientPlaylist } from '../../../../client/src/player/MediaPlaylist';
import { audioRung, packagedRungNames, rungNames, speechRung } from '../../../../shared/ladder';
import { LIVE_WINDOW_SEGMENTS, ORGANIZER_AWAY_CLASS, recordingFiles, runFiles } from '../../../../shared/recordingLayout';
import { segmentUris } from '../../../helpers/playlists';

let dir: string;

/** Lays out a run as ffmpeg would: run.json, and per rung an init segment, segments and index.m3u8. */
async function writeRun(run: number, rungs: readonly string[], segments: number, { hasVideo = true, listed = segments, from = 0 } = {}) {
  const runDir = path.join(dir, recordingFiles.run(run));
  await fs.mkdir(runDir, { recursive: true });
  await fs.writeFile(path.join(runDir, runFiles.description), JSON.stringify({ hasVideo, hasAudio: true, startedAt: '' }));
  for (const [v, rung] of rungs.entries()) {
    await fs.mkdir(path.join(runDir, rung), { recursive: true });
    await fs.writeFile(path.join(runDir, rung, `init_${v}.mp4`), 'init');
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', `#EXT-X-MAP:URI="init_${v}.mp4"`];
    for (let i = 0; i < listed; i++) {
      const name = `seg_${String(i).padStart(5, '0')}.m4s`;
      if (i < segments && i >= from) await fs.writeFile(path.join(runDir, rung, name), 'data');
      lines.push('#EXTINF:2.000000,', name);
    }
    await fs.writeFile(path.join(runDir, runFiles.rungPlaylist(rung)), `${lines.join('\n')}\n`);
  }
}

const read = (name: string) => fs.readFile(path.join(dir, name), 'utf8');

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-composer-'));
});

describe('PlaylistComposer', () => {
  it('joins runs with a discontinuity and each run’s own init segment', async () => {
    await writeRun(0, rungNames, 2);
    await writeRun(1, rungNames, 1);
    expect(await new PlaylistComposer(dir).compose({ ended: false })).toBe(3);
    const audio = await read(recordingFiles.audioPlaylist);
    expect(audio).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(audio).not.toContain('#EXT-X-ENDLIST');
    expect(audio.split('\n').filter((l) => l.startsWith('#EXT-X-MAP'))).toEqual([
      '#EXT-X-MAP:URI="runs/0/audio/init_3.mp4"',
      '#EXT-X-MAP:URI="runs/1/audio/init_3.mp4"',
    ]);
    expect(audio.indexOf('#EXT-X-DISCONTINUITY')).toBeGreaterThan(audio.indexOf('runs/0/audio/seg_00001.m4s'));
    expect(segmentUris(audio)).toEqual([
      'runs/0/audio/seg_00000.m4s',
      'runs/0/audio/seg_00001.m4s',
      'runs/1/audio/seg_00000.m4s',
    ]);
  });

  it('makes a VOD playlist ending with ENDLIST once the event has ended', async () => {
    await writeRun(0, [audioRung.name], 2, { hasVideo: false });
    await new PlaylistComposer(dir).compose({ ended: true });
    const audio = await read(recordingFiles.audioPlaylist);
    expect(audio).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(audio.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
  });

  it('does not publish a segment ffmpeg listed but never finished writing', async () => {
    await writeRun(0, [audioRung.name], 2, { hasVideo: false, listed: 3 });
    await new PlaylistComposer(dir).compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toHaveLength(2);
  });

  it('keeps published segments when ffmpeg leaves its own playlist empty, across instances too', async () => {
    await writeRun(0, [audioRung.name], 3, { hasVideo: false });
    const composer = new PlaylistComposer(dir);
    await composer.compose({ ended: false });
    await fs.writeFile(path.join(dir, recordingFiles.run(0), runFiles.rungPlaylist(audioRung.name)), '');
    await composer.compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toHaveLength(3);
    await new PlaylistComposer(dir).compose({ ended: true });
    const final = await read(recordingFiles.audioPlaylist);
    expect(segmentUris(final)).toHaveLength(3);
    expect(final).toContain('#EXT-X-MAP:URI="runs/0/audio/init_0.mp4"');
  });

  it('writes the master only once there is something to play, with video rungs when a run had video', async () => {
    await writeRun(0, rungNames, 0);
    const composer = new PlaylistComposer(dir);
    await composer.compose({ ended: false });
    await expect(read(recordingFiles.master)).rejects.toThrow();
    await writeRun(0, rungNames, 1);
    await composer.compose({ ended: false });
    const master = await read(recordingFiles.master);
    expect(master.split('\n').filter((l) => l.endsWith('.m3u8'))).toEqual(['180p.m3u8', '360p.m3u8', '720p.m3u8', 'audio.m3u8']);
  });

  it('lists an audio-only recording with just the audio rung', async () => {
    await writeRun(0, [audioRung.name], 1, { hasVideo: false });
    await new PlaylistComposer(dir).compose({ ended: false });
    expect((await read(recordingFiles.master)).split('\n').filter((l) => l.endsWith('.m3u8'))).toEqual(['audio.m3u8']);
  });

  it('composes the Opus speech rung into its own playlist and leaves it out of the master, which has no CODECS for it', async () => {
    await writeRun(0, packagedRungNames(true), 2);
    await new PlaylistComposer(dir).compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.speechPlaylist))).toEqual([
      `runs/0/${speechRung.name}/seg_00000.m4s`,
      `runs/0/${speechRung.name}/seg_00001.m4s`,
    ]);
    const master = await read(recordingFiles.master);
    expect(master).toContain(recordingFiles.audioPlaylist);
    expect(master).not.toContain(recordingFiles.speechPlaylist);
  });

  it('composes the other runs when a run’s description was left empty by a full disk', async () => {
    await writeRun(0, rungNames, 2);
    await writeRun(1, rungNames, 1);
    await fs.writeFile(path.join(dir, recordingFiles.run(1), runFiles.description), '');
    expect(await new PlaylistComposer(dir).compose({ ended: true })).toBe(3);
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toHaveLength(3);
  });
});

/** Blocks of `runs[i]` segments each, 2 s apiece but for a 1.5 s one closing every run. */
function blocks(runs: number[]): RunBlock[] {
  return runs.map((count, run) => {
    const block: RunBlock = { base: `runs/${run}/audio`, init: undefined, segments: [], lines: '', seconds: 0 };
    const segments = Array.from({ length: count }, (_, i) => ({
      duration: i === count - 1 ? 1.5 : 2,
      uri: `seg_${String(i).padStart(5, '0')}.m4s`,
      programDateTime: `2026-11-30T20:00:${String(i).padStart(2, '0')}.000+0000`,
      init: 'init_3.mp4',
      end: 0,
    }));
    appendToBlock(block, 'init_3.mp4', segments);
    return block;
  });
}

const BASE = 'https://jalsa.test/hls/rally/';

describe('live window playlist', () => {
  it('lists only the newest segments, numbered and timed as in the whole playlist', () => {
    const runs = blocks([40, 10]);
    const whole = parseClientPlaylist(renderMediaPlaylist(runs, 2, false), BASE);
    const window = parseClientPlaylist(renderWindowPlaylist(runs, 2, false), BASE);
    expect(window.segments).toHaveLength(LIVE_WINDOW_SEGMENTS);
    expect(window.segments).toEqual(whole.segments.slice(-LIVE_WINDOW_SEGMENTS));
    expect(window.ended).toBe(false);
  });

  it('starts after the runs before it: its discontinuity sequence counts them and its first run needs no tag', () => {
    const text = renderWindowPlaylist(blocks([30, 20, 8]), 2, false, 10);
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:48\n');
    expect(text).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1\n');
    expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
    expect(text.match(/#EXT-X-MAP:URI="([^"]+)"/g)).toEqual(['#EXT-X-MAP:URI="runs/1/audio/init_3.mp4"', '#EXT-X-MAP:URI="runs/2/audio/init_3.mp4"']);
    // A date where each run starts in the window, not on every segment.
    expect(text.match(/#EXT-X-PROGRAM-DATE-TIME/g)).toHaveLength(2);
    const window = parseClientPlaylist(text, BASE);
    expect(window.segments[0]).toMatchObject({ index: 48, start: 29 * 2 + 1.5 + 18 * 2, url: `${BASE}runs/1/audio/seg_00018.m4s` });
    expect(window.segments.map((s) => s.discontinuity)).toEqual([false, false, true, ...Array(7).fill(false)]);
  });

  it('holds the whole playlist while it is shorter than the window, and ends with it', () => {
    const text = renderWindowPlaylist(blocks([3]), 2, true);
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:0\n');
    const window = parseClientPlaylist(text, BASE);
    expect(window.segments.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(window.ended).toBe(true);
  });

  it('stays the same size at hour three as at minute one', () => {
    const early = renderWindowPlaylist(blocks([30]), 2, false);
    const late = renderWindowPlaylist(blocks([5_400]), 2, false);
    expect(late.length - early.length).toBeLessThanOrEqual(8);
  });
});

describe('PlaylistComposer, incrementally', () => {
  const audioFile = () => path.join(dir, recordingFiles.run(0), runFiles.rungPlaylist(audioRung.name));

  it('writes a live window next to the whole playlist, and a live master naming the windows', async () => {
    await writeRun(0, rungNames, 20);
    await new PlaylistComposer(dir).compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.liveAudioPlaylist))).toEqual(segmentUris(await read(recordingFiles.audioPlaylist)).slice(-LIVE_WINDOW_SEGMENTS));
    expect((await read(recordingFiles.liveMaster)).split('\n').filter((l) => l.endsWith('.m3u8'))).toEqual(rungNames.map(recordingFiles.liveRungPlaylist));
  });

  it('reads only what ffmpeg appended to its playlist since the last compose', async () => {
    await writeRun(0, [audioRung.name], 3, { hasVideo: false });
    const composer = new PlaylistComposer(dir);
    await composer.compose({ ended: false });
    // Bytes already read are not read again: garbling them changes nothing...
    const text = await fs.readFile(audioFile(), 'utf8');
    await fs.writeFile(audioFile(), text.replace(/seg_00001/g, 'seg_99999'));
    // ...while a segment appended after them is found.
    await writeRun(0, [audioRung.name], 4, { hasVideo: false, from: 3 });
    await fs.writeFile(audioFile(), `${text.replace(/seg_00001/g, 'seg_99999')}#EXTINF:2.000000,\nseg_00003.m4s\n`);
    await composer.compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toEqual([0, 1, 2, 3].map((i) => `runs/0/audio/seg_0000${i}.m4s`));
  });

  it('waits for a segment the newest run lists before it is in place, keeping the order', async () => {
    await writeRun(0, [audioRung.name], 4, { hasVideo: false });
    await fs.rm(path.join(dir, recordingFiles.runRung(0, audioRung.name), 'seg_00002.m4s'));
    const composer = new PlaylistComposer(dir);
    await composer.compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toHaveLength(2);
    await fs.writeFile(path.join(dir, recordingFiles.runRung(0, audioRung.name), 'seg_00002.m4s'), 'data');
    await composer.compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toEqual([0, 1, 2, 3].map((i) => `runs/0/audio/seg_0000${i}.m4s`));
  });

  it('does not read a run again once a newer one began', async () => {
    await writeRun(0, [audioRung.name], 2, { hasVideo: false });
    await writeRun(1, [audioRung.name], 1, { hasVideo: false });
    const composer = new PlaylistComposer(dir);
    await composer.compose({ ended: false });
    await writeRun(0, [audioRung.name], 5, { hasVideo: false });
    await composer.compose({ ended: false });
    expect(segmentUris(await read(recordingFiles.audioPlaylist))).toHaveLength(3);
  });

  it('numbers the window the same after a server restart mid-event', async () => {
    await writeRun(0, [audioRung.name], 12, { hasVideo: false });
    await new PlaylistComposer(dir).compose({ ended: false });
    await writeRun(1, [audioRung.name], 4, { hasVideo: false });
    // ffmpeg's first playlist was lost with the crash: only our own whole playlist remembers run 0.
    await fs.writeFile(audioFile(), '');
    await new PlaylistComposer(dir).compose({ ended: false });
    const window = await read(recordingFiles.liveAudioPlaylist);
    expect(window).toContain(`#EXT-X-MEDIA-SEQUENCE:${16 - LIVE_WINDOW_SEGMENTS}\n`);
    // The window starts in run 0: no run before it, and a discontinuity sequence of 0 goes unsaid.
    expect(window).not.toContain('#EXT-X-DISCONTINUITY-SEQUENCE');
    expect(segmentUris(window)).toEqual(segmentUris(await read(recordingFiles.audioPlaylist)).slice(-LIVE_WINDOW_SEGMENTS));
  });
});

/** A run of `count` 2 s segments dated from `startsAt` (ms since the epoch). */
function datedBlock(run: number, count: number, startsAt: number): RunBlock {
  const block: RunBlock = { base: `runs/${run}/audio`, init: undefined, segments: [], lines: '', seconds: 0 };
  const segments = Array.from({ length: count }, (_, i) => ({
    duration: 2,
    uri: `seg_${String(i).padStart(5, '0')}.m4s`,
    programDateTime: new Date(startsAt + i * 2_000).toISOString(),
    init: 'init_3.mp4',
    end: 0,
  }));
  appendToBlock(block, 'init_3.mp4', segments);
  return block;
}

describe('the organizer’s absences in the whole playlist', () => {
  const T0 = Date.parse('2026-11-30T20:00:00.000Z');
  const gap = { from: T0 + 10_000, to: T0 + 25_000 };

  it('marks a gap with a DATERANGE where the playlist resumes, before the next run’s discontinuity, and players read the same segments', () => {
    const runs = [datedBlock(0, 5, T0), datedBlock(1, 3, T0 + 26_000)];
    const text = renderMediaPlaylist(runs, 2, false, [gap]);
    const lines = text.split('\n');
    const marker = lines.findIndex((l) => l.startsWith('#EXT-X-DATERANGE:'));
    expect(lines[marker]).toBe(
      `#EXT-X-DATERANGE:ID="organizer-away-${gap.from}",CLASS="${ORGANIZER_AWAY_CLASS}",` +
        'START-DATE="2026-11-30T20:00:10.000Z",END-DATE="2026-11-30T20:00:25.000Z",DURATION=15.000',
    );
    expect(lines[marker + 1]).toBe('#EXT-X-DISCONTINUITY');
    expect(marker).toBeGreaterThan(lines.indexOf('runs/0/audio/seg_00004.m4s'));
    const unmarked = parseClientPlaylist(renderMediaPlaylist(runs, 2, false), BASE);
    expect(parseClientPlaylist(text, BASE).segments).toEqual(unmarked.segments);
  });

  it('puts a gap no run has followed yet (the event ended while the organizer was away) at the end, before ENDLIST', () => {
    const text = renderMediaPlaylist([datedBlock(0, 5, T0)], 2, true, [gap]);
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-2)).toContain(ORGANIZER_AWAY_CLASS);
    expect(lines.at(-1)).toBe('#EXT-X-ENDLIST');
  });

  it('reads gaps.jsonl, skipping a line cut short', () => {
    const text = '{"from":"2026-11-30T20:00:10.000Z","to":"2026-11-30T20:00:25.000Z"}\n{"from":"2026-11-30T2';
    expect(parseGaps(text)).toEqual([gap]);
    expect(parseGaps('')).toEqual([]);
  });

  it('adds the marker to the composed playlists once told of a new gap, every segment listed as before', async () => {
    await writeRun(0, rungNames, 2);
    await writeRun(1, rungNames, 1);
    const composer = new PlaylistComposer(dir);
    await composer.compose({ ended: false });
    const before = await read(recordingFiles.audioPlaylist);
    await fs.appendFile(path.join(dir, recordingFiles.gaps), `${JSON.stringify({ from: new Date(gap.from), to: new Date(gap.to) })}\n`);
    await composer.compose({ ended: false });
    expect(await read(recordingFiles.audioPlaylist)).toBe(before);
    composer.gapsChanged();
    await composer.compose({ ended: false });
    const after = await read(recordingFiles.audioPlaylist);
    expect(after).toContain(`CLASS="${ORGANIZER_AWAY_CLASS}"`);
    expect(segmentUris(after)).toEqual(segmentUris(before));
  });
});
