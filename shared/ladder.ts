/**
 * The HLS ladder, read by the packager (what to encode), the playlist composer (what the master
 * announces), the player (what its MSE buffer is fed) and the tests. Every video rung carries its own
 * audio so that the audio-only rung is a proper variant of the master playlist (ffmpeg writes it only
 * then); profiles and levels are fixed so the CODECS strings below are true.
 */
export interface VideoRung {
  name: string;
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  audioKbps: number;
  profile: 'baseline' | 'main';
  level: string;
  /** RFC 6381 codecs of the muxed variant. */
  codecs: string;
}

export interface AudioRung {
  name: string;
  audioKbps: number;
  codecs: string;
  /** What a Media Source buffer is opened with to play this rung's fMP4 segments. */
  mimeType: string;
  /** Hz the encoder is fed at. */
  sampleRate: number;
}

/** Seconds per segment: short enough for a few seconds of latency, long enough for a 400 ms RTT link. */
export const SEGMENT_SECONDS = 2;

/** AAC-LC: plays everywhere hls.js and native HLS do; at 32 kbps mono, speech stays clear. */
const AUDIO_CODEC = 'mp4a.40.2';
export const AUDIO_SAMPLE_RATE = 24_000;

export const audioRung: AudioRung = {
  name: 'audio',
  audioKbps: 32,
  codecs: AUDIO_CODEC,
  mimeType: `audio/mp4; codecs="${AUDIO_CODEC}"`,
  sampleRate: AUDIO_SAMPLE_RATE,
};

/**
 * Opus at 16 kbps mono (wideband, 20 ms frames, the encoder tuned for voice): speech that a 30 kbps
 * EDGE link carries, where the AAC rung needs more than the link has. It is NOT in the master playlist:
 * ffmpeg writes no CODECS for Opus, hls.js and native HLS would guess, and neither needs it. Only our
 * audio pipe plays it, from its own playlist (recordingFiles.speechPlaylist), where MSE takes
 * `audio/mp4; codecs="opus"`; everyone else keeps the AAC rung.
 */
export const speechRung: AudioRung = {
  name: 'speech',
  audioKbps: 16,
  codecs: 'opus',
  mimeType: 'audio/mp4; codecs="opus"',
  // Opus always decodes at 48 kHz; fed anything else, ffmpeg's libopus would resample inside anyway.
  sampleRate: 48_000,
};

/** Milliseconds per Opus frame: 20 is the speech default, cheaper in headers than 10, quicker to recover than 60. */
export const SPEECH_FRAME_MS = 20;

/** The audio-only rungs, lightest first: what the audio pipe chooses from. */
export const audioRungs: readonly [AudioRung, AudioRung] = [speechRung, audioRung];

/** Lowest first: the master playlist lists them in this order, and the first is the cheapest with a picture. */
export const videoRungs: readonly [VideoRung, ...VideoRung[]] = [
  {
    name: '180p', width: 320, height: 180, fps: 15, videoKbps: 100, audioKbps: 32,
    profile: 'baseline', level: '3.0', codecs: `avc1.42e01e,${AUDIO_CODEC}`,
  },
  {
    name: '360p', width: 640, height: 360, fps: 25, videoKbps: 400, audioKbps: 48,
    profile: 'main', level: '3.0', codecs: `avc1.4d401e,${AUDIO_CODEC}`,
  },
  {
    name: '720p', width: 1280, height: 720, fps: 25, videoKbps: 1400, audioKbps: 64,
    profile: 'main', level: '3.1', codecs: `avc1.4d401f,${AUDIO_CODEC}`,
  },
];

/** Every rung of a recording with video, in master playlist order: the video rungs, then the audio-only one. */
export const rungNames: readonly string[] = [...videoRungs.map((rung) => rung.name), audioRung.name];

/** Every rung the packager writes and the composer composes a playlist for: the master's, then the speech rung. */
export function packagedRungNames(hasVideo: boolean): readonly string[] {
  return [...(hasVideo ? rungNames : [audioRung.name]), speechRung.name];
}

/** Peak bits per second for BANDWIDTH: the encoder's average plus headroom for fMP4 and bursts. */
export function peakBandwidth(kbps: number): number {
  return Math.round(kbps * 1000 * 1.2);
}
