import { describe, expect, it } from 'vitest';
import {
  choosePath,
  clearlyCarriesVideo,
  fastestMeasured,
  followedConnection,
  linkFailed,
  reportedMode,
  type ConnectionState,
} from '../../../../client/src/player/WatchSession';

const CAPABILITIES = { codecs: [] };
const SEAT = { webrtcSeatAvailable: true, routerRtpCapabilities: CAPABILITIES };

describe('WatchSession', () => {
  describe('choosePath', () => {
    it('plays over WebRTC when the server has a seat and WebRTC', () => {
      expect(choosePath(SEAT, null, true)).toEqual({ path: 'webrtc', routerRtpCapabilities: CAPABILITIES });
    });

    it('plays over HLS when the seats are full', () => {
      expect(choosePath({ ...SEAT, webrtcSeatAvailable: false }, null, true)).toEqual({ path: 'hls', reason: 'seats full' });
    });

    it('plays over HLS when the server offers no WebRTC', () => {
      expect(choosePath({ ...SEAT, routerRtpCapabilities: null }, null, true)).toEqual({ path: 'hls', reason: 'webrtc unavailable' });
    });

    it('stays on HLS for the session once it moved there, for the reason it moved', () => {
      expect(choosePath(SEAT, 'unhealthy', true)).toEqual({ path: 'hls', reason: 'unhealthy' });
    });

    it('plays over HLS without trying WebRTC on a page that is not a secure context, saying so', () => {
      expect(choosePath(SEAT, null, false)).toEqual({ path: 'hls', reason: 'insecure page' });
    });

    it('goes on over HLS from the boot script\'s sound, seat or not, when its link did not clearly carry video', () => {
      expect(choosePath(SEAT, null, true, true)).toEqual({ path: 'hls', reason: 'sound first' });
      expect(choosePath({ ...SEAT, webrtcSeatAvailable: false }, null, true, true)).toEqual({ path: 'hls', reason: 'sound first' });
    });

    it('keeps the more telling reason over the boot script\'s sound: an earlier move to HLS, or an insecure page', () => {
      expect(choosePath(SEAT, 'unhealthy', true, true)).toEqual({ path: 'hls', reason: 'unhealthy' });
      expect(choosePath(SEAT, null, false, true)).toEqual({ path: 'hls', reason: 'insecure page' });
    });
  });

  describe('clearlyCarriesVideo', () => {
    it('lets the app start as without the boot\'s sound only on a link measured with room above the lowest video rung', () => {
      expect(clearlyCarriesVideo(5_000_000)).toBe(true);
      expect(clearlyCarriesVideo(256_000)).toBe(true);
    });

    it('keeps the sound first on a link that merely fits video, on a 2G link, and on one nothing measured', () => {
      expect(clearlyCarriesVideo(200_000)).toBe(false);
      expect(clearlyCarriesVideo(50_000)).toBe(false);
      expect(clearlyCarriesVideo(null)).toBe(false);
    });
  });

  describe('fastestMeasured', () => {
    it('takes the fastest transfer as the closest to the link, ignoring what was not measured', () => {
      expect(fastestMeasured(180_000, 2_000_000)).toBe(2_000_000);
      expect(fastestMeasured(50_000, null)).toBe(50_000);
      expect(fastestMeasured(null, null)).toBeNull();
    });
  });

  describe('linkFailed', () => {
    it('starts HLS with sound only after WebRTC failed on the link itself', () => {
      expect(linkFailed('unhealthy')).toBe(true);
      expect(linkFailed('connection lost')).toBe(true);
    });

    it('starts HLS from the usual guess when WebRTC never carried media', () => {
      expect(linkFailed('cannot connect')).toBe(false);
      expect(linkFailed('seats full')).toBe(false);
      expect(linkFailed('webrtc unavailable')).toBe(false);
    });
  });

  describe('followedConnection', () => {
    const started = { started: true, trouble: false };

    it('is connecting until media flows, then connected', () => {
      expect(followedConnection('connecting', 'hls', { started: false, trouble: false })).toBe('connecting');
      expect(followedConnection('connecting', 'hls', started)).toBe('connected');
    });

    it('reconnects while WebRTC is interrupted, but not while HLS retries requests', () => {
      expect(followedConnection('connected', 'webrtc', { started: true, trouble: true })).toBe('reconnecting');
      expect(followedConnection('connected', 'hls', { started: true, trouble: true })).toBe('connected');
    });

    it('leaves a state the event decided as it is', () => {
      const decided: ConnectionState[] = ['waiting for the event to start', 'ended', 'not found', 'failed'];
      for (const state of decided) expect(followedConnection(state, 'webrtc', started)).toBe(state);
    });
  });

  describe('reportedMode', () => {
    it('counts audio only whatever the path, else the path', () => {
      expect(reportedMode('webrtc', 'audio')).toBe('audio-only');
      expect(reportedMode('hls', 'audio')).toBe('audio-only');
      expect(reportedMode('webrtc', 'video')).toBe('webrtc');
      expect(reportedMode('hls', 'video')).toBe('hls-video');
    });
  });
});
