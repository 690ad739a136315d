import { describe, expect, it } from 'vitest';
import { recordingUrls } from '../../../../shared/recordingLayout';
import { hlsSupport, nativeSource } from '../../../../client/src/player/NativeHlsPlayback';

const urls = recordingUrls('rally');

describe('NativeHlsPlayback', () => {
  describe('hlsSupport', () => {
    it('plays through Media Source Extensions wherever MediaSource exists, even beside a native player', () => {
      expect(hlsSupport(true, 'maybe')).toBe('mse');
      expect(hlsSupport(true, '')).toBe('mse');
    });

    it('plays through the browser’s own player without MediaSource when it takes HLS', () => {
      expect(hlsSupport(false, 'maybe')).toBe('native');
      expect(hlsSupport(false, 'probably')).toBe('native');
    });

    it('cannot play without MediaSource and without a native HLS player', () => {
      expect(hlsSupport(false, '')).toBe('none');
    });
  });

  describe('nativeSource', () => {
    it('gives the video element the live window master during a live event', () => {
      expect(nativeSource(urls, { live: true, audioOnly: false })).toEqual({ element: 'video', url: urls.liveMaster });
    });

    it('gives the audio element the AAC audio rung’s live window for sound only during a live event', () => {
      expect(nativeSource(urls, { live: true, audioOnly: true })).toEqual({ element: 'audio', url: urls.liveAudioOnly });
    });

    it('plays a recording from the whole event’s playlists', () => {
      expect(nativeSource(urls, { live: false, audioOnly: false })).toEqual({ element: 'video', url: urls.master });
      expect(nativeSource(urls, { live: false, audioOnly: true })).toEqual({ element: 'audio', url: urls.audioOnly });
    });
  });
});
