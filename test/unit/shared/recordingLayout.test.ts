import { describe, expect, it } from 'vitest';
import { recordingFileKind, recordingFiles, recordingUrl } from '../../../shared/recordingLayout';
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
    });
  });
});
