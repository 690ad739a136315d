import { audioRung, peakBandwidth, speechRung, type AudioRung } from '../../../shared/ladder';

/**
 * The AAC rung is taken only on a link measured at this many times what it needs: what the link
 * carries besides the sound (playlist reloads, the stage picture, chat) must still fit, and an
 * estimate on a weak link swings by half within seconds.
 */
const AAC_UP_FACTOR = 2;
/** Once on AAC, it is kept down to this margin: between the two, changing rung would only flap. */
const AAC_KEEP_FACTOR = 1.25;

export interface AudioRungContext {
  /** The rung playing now; null before the audio pipe opens. */
  current: AudioRung | null;
  /** The link estimate (bits per second); null before anything was measured. */
  estimateBps: number | null;
  /** Whether this browser's Media Source takes Opus in fMP4 (speechRung.mimeType). */
  opusPlayable: boolean;
  /** The attendee asked to spend as little as possible. */
  dataSaver: boolean;
  /**
   * The sound plays because the link could not carry video: a link that just failed, whose estimates
   * swing with every small audio segment (a collapse read at twice its rate put AAC on a 40 kbps link,
   * which then stalled), and that may fail again at any moment (flapping). The speech rung stays.
   */
  linkFailedVideo?: boolean;
}

/**
 * Which audio-only rung the audio pipe plays. Opus at 16 kbps carries speech as clearly as AAC at 32,
 * so the speech rung is the default wherever it plays: on an unmeasured link, under the data saver, on
 * a link that could not carry video, and whenever the link is not measured to carry AAC with room to spare. AAC is worth its bytes only
 * on a link that clearly has them (a rally's music, a recording without video on a good line), and
 * it is the only choice where Opus does not play.
 */
export function chooseAudioRung({ current, estimateBps, opusPlayable, dataSaver, linkFailedVideo = false }: AudioRungContext): AudioRung {
  if (!opusPlayable) return audioRung;
  if (dataSaver || linkFailedVideo || estimateBps === null) return speechRung;
  const factor = current === audioRung ? AAC_KEEP_FACTOR : AAC_UP_FACTOR;
  return estimateBps >= peakBandwidth(audioRung.audioKbps) * factor ? audioRung : speechRung;
}
