import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PlaylistComposer } from '../../../../server/hls/PlaylistComposer';
import { audioRung, packagedRungNames, rungNames, speechRung } from '../../../../shared/ladder';
import { recordingFiles, runFiles } from '../../../../shared/recordingLayout';
import { segmentUris } from '../../../helpers/playlists';

let dir: string;

/** Lays out a run as ffmpeg would: run.json, and per rung an init segment, segments and index.m3u8. */
async function writeRun(run: number, rungs: readonly string[], segments: number, { hasVideo = true, listed = segments } = {}) {
  const runDir = path.join(dir, recordingFiles.run(run));
  await fs.mkdir(runDir, { recursive: true });
  await fs.writeFile(path.join(runDir, runFiles.description), JSON.stringify({ hasVideo, hasAudio: true, startedAt: '' }));
  for (const [v, rung] of rungs.entries()) {
    await fs.mkdir(path.join(runDir, rung), { recursive: true });
    await fs.writeFile(path.join(runDir, rung, `init_${v}.mp4`), 'init');
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', `#EXT-X-MAP:URI="init_${v}.mp4"`];
    for (let i = 0; i < listed; i++) {
      const name = `seg_${String(i).padStart(5, '0')}.m4s`;
      if (i < segments) await fs.writeFile(path.join(runDir, rung, name), 'data');
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
});
