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
  /** Samples played out, and how many of them the decoder had to make up (not counting silence). */
  audioSamples: number;
  audioConcealedSamples: number;
  /** Seconds the video has spent frozen so far. */
  videoFreezeSeconds: number;
  /** Height of the video being decoded now, or null when none. */
  videoHeight: number | null;
  /** The connection's latest round-trip time; it soars when a queue on the way fills up. */
  roundTripSeconds: number | null;
}

/**
 * How the last interval went. Loss and concealment are fractions; null when nothing of that kind was
 * due. A link that queues rather than drops (a bloated buffer) loses nothing, but the sound it delivers
 * late has to be made up by the decoder: concealment catches what loss misses.
 */
export interface RtpHealth {
  audioLoss: number | null;
  videoLoss: number | null;
  audioConcealment: number | null;
  videoFreezeSeconds: number;
  roundTripSeconds: number | null;
  videoBps: number;
  audioBps: number;
}

/** mediasoup's bandwidth probator sends padding on this SSRC: never media. */
const PROBATOR_SSRC = 1234;

interface InboundRtpStats {
  type: string;
  kind?: string;
  ssrc?: number;
  packetsReceived?: number;
  packetsLost?: number;
  bytesReceived?: number;
  frameHeight?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
  silentConcealedSamples?: number;
  totalFreezesDuration?: number;
  state?: string;
  nominated?: boolean;
  currentRoundTripTime?: number;
  timestamp: number;
}

/** Reads an RTCStatsReport (or anything iterable like one) into per-kind totals. */
export function readRtpTotals(report: Iterable<[string, InboundRtpStats]>): RtpTotals {
  const zero = (): RtpCounters => ({ packetsReceived: 0, packetsLost: 0, bytesReceived: 0 });
  const totals: RtpTotals = {
    timestamp: 0,
    audio: zero(),
    video: zero(),
    audioSamples: 0,
    audioConcealedSamples: 0,
    videoFreezeSeconds: 0,
    videoHeight: null,
    roundTripSeconds: null,
  };
  for (const [, stats] of report) {
    if (stats.type === 'candidate-pair' && stats.nominated && stats.state === 'succeeded') {
      totals.roundTripSeconds = stats.currentRoundTripTime ?? totals.roundTripSeconds;
    }
    if (stats.type !== 'inbound-rtp' || stats.ssrc === PROBATOR_SSRC) continue;
    if (stats.kind !== 'audio' && stats.kind !== 'video') continue;
    const counters = totals[stats.kind];
    counters.packetsReceived += stats.packetsReceived ?? 0;
    counters.packetsLost += stats.packetsLost ?? 0;
    counters.bytesReceived += stats.bytesReceived ?? 0;
    totals.timestamp = Math.max(totals.timestamp, stats.timestamp);
    if (stats.kind === 'audio') {
      totals.audioSamples += stats.totalSamplesReceived ?? 0;
      totals.audioConcealedSamples += (stats.concealedSamples ?? 0) - (stats.silentConcealedSamples ?? 0);
    } else {
      totals.videoFreezeSeconds += stats.totalFreezesDuration ?? 0;
      if (stats.frameHeight) totals.videoHeight = Math.max(totals.videoHeight ?? 0, stats.frameHeight);
    }
  }
  return totals;
}

export function rtpHealth(previous: RtpTotals, current: RtpTotals): RtpHealth {
  const seconds = Math.max(0.001, (current.timestamp - previous.timestamp) / 1000);
  const samples = current.audioSamples - previous.audioSamples;
  return {
    audioLoss: lossFraction(previous.audio, current.audio),
    videoLoss: lossFraction(previous.video, current.video),
    audioConcealment:
      samples > 0 ? Math.max(0, current.audioConcealedSamples - previous.audioConcealedSamples) / samples : null,
    videoFreezeSeconds: Math.max(0, current.videoFreezeSeconds - previous.videoFreezeSeconds),
    roundTripSeconds: current.roundTripSeconds,
    audioBps: (8 * Math.max(0, current.audio.bytesReceived - previous.audio.bytesReceived)) / seconds,
    videoBps: (8 * Math.max(0, current.video.bytesReceived - previous.video.bytesReceived)) / seconds,
  };
}

function lossFraction(previous: RtpCounters, current: RtpCounters): number | null {
  const received = Math.max(0, current.packetsReceived - previous.packetsReceived);
  // packetsLost can shrink when late packets arrive after all.
  const lost = Math.max(0, current.packetsLost - previous.packetsLost);
  const due = received + lost;
  return due === 0 ? null : lost / due;
}
