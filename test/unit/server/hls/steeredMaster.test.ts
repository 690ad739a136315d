import { describe, expect, it } from 'vitest';
import { NO_MIRRORS } from '../../../../shared/mirrors';
import { steeredMaster } from '../../../../server/hls/steeredMaster';
import { composedLiveMaster } from '../../../helpers/playlists';

const master = composedLiveMaster;

describe('steeredMaster', () => {
  it('leaves a master without mirrors as it was written', () => {
    expect(steeredMaster(master, 'rally-1', NO_MIRRORS)).toBe(master);
  });

  it('lists every variant once per pathway, the mirror at the same path under its base, and starts on the priority\'s first', () => {
    const steered = steeredMaster(master, 'rally-1', {
      mirrors: [{ id: 'eu-1', baseUrl: 'https://m.example/j' }],
      priority: ['eu-1', 'origin'],
    });
    expect(steered.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-CONTENT-STEERING:SERVER-URI="/api/events/rally-1/steering",PATHWAY-ID="eu-1"',
      '#EXT-X-STREAM-INF:BANDWIDTH=158400,CODECS="avc1.42e01e,mp4a.40.2",RESOLUTION=320x180,PATHWAY-ID="origin"',
      '180p.live.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2",PATHWAY-ID="origin"',
      'audio.live.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=158400,CODECS="avc1.42e01e,mp4a.40.2",RESOLUTION=320x180,PATHWAY-ID="eu-1"',
      'https://m.example/j/hls/rally-1/180p.live.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2",PATHWAY-ID="eu-1"',
      'https://m.example/j/hls/rally-1/audio.live.m3u8',
      '',
    ]);
  });
});
