/**
 * What the organizer publishes. Speech first: mono Opus with in-band FEC (survives lossy links) and DTX
 * (silence costs nearly nothing), capped at a bitrate that is plenty for a voice (wideband, as the HLS
 * speech rung) and that a 30 kbps listener can still receive over WebRTC: 16 kbps of speech and, in
 * 120 ms packets, about 3.5 kbps of IP/UDP/RTP/SRTP headers, ~20 kbps on the wire with room left for
 * RTCP, the chat and the speech's louder moments (Opus is VBR).
 * Measured with `npm run bench:throttle`: at 32 kbps (~38 on the wire) a 40 kbps link carrying it lost
 * sound and its listeners were sent to HLS; at 20 kbps (~24 on the wire) a 30 kbps link still broke the
 * sound for 4.2 s of a minute in audio only (the stage picture's downloads, since held back, had a share).
 */
export const OPUS_MAX_AVERAGE_BITRATE = 16_000;

/**
 * Milliseconds of speech per Opus packet, from the organizer's browser (SDP `ptime`) and from ffmpeg
 * (file broadcasts, the demo): 120, the longest Opus packet (libwebrtc and libopus both allow it). The
 * SFU's cost is per packet and per receiver (an SRTP encryption and a send each): 120 ms packets are a
 * sixth of the default 20 ms ones: a worker fed 1,142 audio-only listeners at 0.65 of a core, stock
 * mediasoup with 20 ms packets 507 at 0.85 (BENCHMARKS.md, `bench:sfu`). The price, for a speech that listeners only hear: 100 ms more delay than
 * 20 ms packets (60 more than 60 ms ones), and a lost packet is 120 ms of speech, a gap in-band FEC (the
 * next packet's coarse copy) covers less well than with shorter packets: a listener on a lossy link
 * hears more of it. For a speech that is the better trade (half the headers too). A receiver needs
 * nothing: every Opus decoder takes any packet length up to 120 ms.
 */
export const OPUS_PTIME_MS = 120;

export const opusCodecOptions = {
  opusStereo: false,
  opusFec: true,
  opusDtx: true,
  opusMaxAverageBitrate: OPUS_MAX_AVERAGE_BITRATE,
  opusPtime: OPUS_PTIME_MS,
} as const;

/** Three VP8 simulcast layers, lowest first: ~180p, ~360p, 720p from a 720p camera. */
export const simulcastEncodings = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 120_000, maxFramerate: 15 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 400_000, maxFramerate: 30 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000, maxFramerate: 30 },
] as const;

export const SIMULCAST_LAYER_COUNT = simulcastEncodings.length;

export const cameraConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30 },
} as const;
