/** Counters of one kind of inbound RTP, summed over the streams of that kind. */
export interface RtpCounters {
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
}

export interface RtpTotals {
  /** Milliseconds (the stats' own clock). */
  timestamp: number;
  audio: RtpCounters;
  video: RtpCounters;
  /** The sound's interarrival jitter now (RFC 3550), in seconds. */
  audioJitterSeconds: number;
  /** Samples of sound the decoder gave out, and how many of them it made up for packets that did not come. */
  audioSamples: number;
  audioConcealedSamples: number;
  /** Connectivity checks (STUN) sent and answered on the connection in use. */
  checksSent: number;
  checksAnswered: number;
  /** The latest measured round trip, or null when none. */
  roundTripSeconds: number | null;
  /** Height of the video being decoded now, or null when none. */
  videoHeight: number | null;
}

/**
 * How the last window went. A drop-tail link shows loss; a link that queues instead (a bloated buffer,
 * or Chromium's own emulation) loses nothing, but its packets bunch up (jitter) and the server's answers
 * to connectivity checks stop coming back. Loss is a fraction, null when no packet of that kind was due.
 */
export interface RtpHealth {
  audioLoss: number | null;
  videoLoss: number | null;
  /**
   * The share of the sound given out that the decoder made up, null when none was: unlike loss, known
   * at once (loss shows only once a later packet arrives). Not a pause in the speech: Opus's DTX sends
   * it as silence, decoded, not made up.
   */
  audioConcealment: number | null;
  /** Video packets due in the window (received and lost): how much the video loss fraction rests on. */
  videoPacketsDue: number;
  audioJitterSeconds: number;
  /** Connectivity checks sent in the window and not answered. */
  unansweredChecks: number;
  roundTripSeconds: number | null;
  videoBps: number;
  audioBps: number;
}

/** mediasoup's bandwidth probator sends padding on this SSRC: never media. */
const PROBATOR_SSRC = 1234;

interface Stats {
  type: string;
  kind?: string;
  ssrc?: number;
  packetsReceived?: number;
  packetsLost?: number;
  bytesReceived?: number;
  jitter?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
  frameHeight?: number;
  state?: string;
  nominated?: boolean;
  requestsSent?: number;
  responsesReceived?: number;
  currentRoundTripTime?: number;
  timestamp: number;
}

/** Reads an RTCStatsReport (or anything iterable like one) into per-kind totals. */
export function readRtpTotals(report: Iterable<[string, Stats]>): RtpTotals {
  const zero = (): RtpCounters => ({ packetsReceived: 0, packetsLost: 0, bytesReceived: 0 });
  const totals: RtpTotals = {
    timestamp: 0,
    audio: zero(),
    video: zero(),
    audioJitterSeconds: 0,
    audioSamples: 0,
    audioConcealedSamples: 0,
    checksSent: 0,
    checksAnswered: 0,
    roundTripSeconds: null,
    videoHeight: null,
  };
  for (const [, stats] of report) {
    totals.timestamp = Math.max(totals.timestamp, stats.timestamp);
    if (stats.type === 'candidate-pair' && stats.nominated) {
      totals.checksSent += stats.requestsSent ?? 0;
      totals.checksAnswered += stats.responsesReceived ?? 0;
      totals.roundTripSeconds = stats.currentRoundTripTime ?? totals.roundTripSeconds;
    }
    if (stats.type !== 'inbound-rtp' || stats.ssrc === PROBATOR_SSRC) continue;
    if (stats.kind !== 'audio' && stats.kind !== 'video') continue;
    const counters = totals[stats.kind];
    counters.packetsReceived += stats.packetsReceived ?? 0;
    counters.packetsLost += stats.packetsLost ?? 0;
    counters.bytesReceived += stats.bytesReceived ?? 0;
    if (stats.kind === 'audio') {
      totals.audioJitterSeconds = Math.max(totals.audioJitterSeconds, stats.jitter ?? 0);
      totals.audioSamples += stats.totalSamplesReceived ?? 0;
      totals.audioConcealedSamples += stats.concealedSamples ?? 0;
    } else if (stats.frameHeight) totals.videoHeight = Math.max(totals.videoHeight ?? 0, stats.frameHeight);
  }
  return totals;
}

export function rtpHealth(previous: RtpTotals, current: RtpTotals): RtpHealth {
  const seconds = Math.max(0.001, (current.timestamp - previous.timestamp) / 1000);
  const sent = current.checksSent - previous.checksSent;
  const answered = current.checksAnswered - previous.checksAnswered;
  return {
    audioLoss: lossFraction(previous.audio, current.audio),
    videoLoss: lossFraction(previous.video, current.video),
    audioConcealment: share(current.audioConcealedSamples - previous.audioConcealedSamples, current.audioSamples - previous.audioSamples),
    videoPacketsDue: packetsDue(previous.video, current.video),
    audioJitterSeconds: current.audioJitterSeconds,
    unansweredChecks: Math.max(0, sent - answered),
    roundTripSeconds: current.roundTripSeconds,
    audioBps: (8 * Math.max(0, current.audio.bytesReceived - previous.audio.bytesReceived)) / seconds,
    videoBps: (8 * Math.max(0, current.video.bytesReceived - previous.video.bytesReceived)) / seconds,
  };
}

function lossFraction(previous: RtpCounters, current: RtpCounters): number | null {
  return share(lost(previous, current), packetsDue(previous, current));
}

/** Null when there is nothing to take a share of (or the counters went back: a new stream). */
function share(part: number, whole: number): number | null {
  return whole <= 0 ? null : Math.min(1, Math.max(0, part) / whole);
}

function packetsDue(previous: RtpCounters, current: RtpCounters): number {
  return Math.max(0, current.packetsReceived - previous.packetsReceived) + lost(previous, current);
}

/** packetsLost can shrink when late packets arrive after all. */
function lost(previous: RtpCounters, current: RtpCounters): number {
  return Math.max(0, current.packetsLost - previous.packetsLost);
}
