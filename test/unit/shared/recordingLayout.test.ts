import { describe, expect, it } from 'vitest';
import { isPlayerFile, recordingFileKind, recordingFiles, recordingUrl } from '../../../shared/recordingLayout';
import { recordingUrls } from '../../../shared/recordingLayout';

describe('recording layout', () => {
  it('tells each kind of recording file by its extension, wherever it sits', () => {
    expect(recordingFileKind(recordingFiles.master)).toBe('playlist');
    expect(recordingFileKind(recordingFiles.liveRungPlaylist('360p'))).toBe('playlist');
    expect(recordingFileKind(`${recordingFiles.runRung(2, '360p')}/seg_00007.m4s`)).toBe('segment');
    expect(recordingFileKind('/rally/runs/0/audio/init_3.mp4')).toBe('init');
    expect(recordingFileKind(recordingFiles.audioDownload)).toBe('audioDownload');
    expect(recordingFileKind(recordingFiles.poster)).toBe('poster');
  });

  it('serves nothing else: other extensions, hidden files and dots in folder names are not recording files', () => {
    for (const name of ['input.sdp', 'run.json', '.m3u8', 'runs/0/.m4s', 'runs.m3u8/index', 'master', '']) {
      expect(recordingFileKind(name), name).toBeUndefined();
    }
  });

  it('tells the files players fetch from everything else on disk, the only paths an edge asks its origin for', () => {
    const players = [
      recordingFiles.master,
      recordingFiles.liveMaster,
      recordingFiles.poster,
      recordingFiles.audioDownload,
      recordingFiles.speechPlaylist,
      recordingFiles.liveRungPlaylist('720p'),
      `${recordingFiles.runRung(3, 'speech')}/init_4.mp4`,
      `${recordingFiles.runRung(0, '180p')}/seg_00012.m4s`,
      // Past 55 hours ffmpeg writes a sixth digit.
      `${recordingFiles.runRung(12, 'audio')}/seg_123456.m4s`,
    ];
    for (const file of players) expect(isPlayerFile(file), file).toBe(true);
    const others = [
      'runs/0/180p/index.m3u8',
      'runs/0/run.json',
      'runs/0/input.sdp',
      '.finished',
      'runs/0/1080p/seg_00001.m4s',
      'runs/0/180p/seg_1.m4s',
      'runs/x/180p/seg_00001.m4s',
      'runs/0/180p/../../../api/events',
      '../other/live.m3u8',
      'live.m3u8/../master.m3u8',
      'live.m3u8?x=1',
      '/live.m3u8',
      'live.m3u8x',
      'LIVE.M3U8',
      '',
    ];
    for (const file of others) expect(isPlayerFile(file), file).toBe(false);
  });

  it('gives a file the same path on disk and under the event’s URL', () => {
    const segment = `${recordingFiles.runRung(1, 'audio')}/seg_00000.m4s`;
    expect(segment).toBe('runs/1/audio/seg_00000.m4s');
    expect(recordingUrl('rally', segment)).toBe('/hls/rally/runs/1/audio/seg_00000.m4s');
    expect(recordingUrls('rally')).toEqual({
      master: '/hls/rally/master.m3u8',
      liveMaster: '/hls/rally/live.m3u8',
      audioOnly: '/hls/rally/audio.m3u8',
      speech: '/hls/rally/speech.m3u8',
      liveAudioOnly: '/hls/rally/audio.live.m3u8',
      liveSpeech: '/hls/rally/speech.live.m3u8',
      poster: '/hls/rally/poster.jpg',
      audioDownload: '/hls/rally/audio.m4a',
      eventDescription: '/hls/rally/event.json',
    });
  });
});
