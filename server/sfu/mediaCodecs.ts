import type { types } from 'mediasoup';

/**
 * Opus for speech, VP8 for video: VP8 is what every browser can simulcast, and simulcast is how each
 * attendee gets the layer their link can carry. H.264 (constrained baseline, which every browser decodes)
 * comes after it, so browsers still publish VP8: it is there for encoders that speak WHIP (OBS sends
 * H.264 only).
 */
export const mediaCodecs: types.RouterRtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48_000,
    channels: 2,
    parameters: { useinbandfec: 1, usedtx: 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90_000,
    parameters: { 'x-google-start-bitrate': 600 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90_000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
