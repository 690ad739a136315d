import type { QualityLimitation, UplinkSample } from './UplinkAdaptation';

/** The fields of WebRTC stats entries read here (a getStats() report holds many more). */
export interface StatsEntry {
  type: string;
  id: string;
  kind?: string;
  rid?: string;
  bytesSent?: number;
  headerBytesSent?: number;
  qualityLimitationReason?: string;
  localId?: string;
  fractionLost?: number;
  roundTripTime?: number;
  nominated?: boolean;
  state?: string;
  availableOutgoingBitrate?: number;
  currentRoundTripTime?: number;
  selectedCandidatePairId?: string;
}

/** Cumulative counters of one reading, kept to turn the next into rates. */
export interface UplinkCounters {
  atMs: number;
  /** outbound-rtp id → bytes sent with headers. */
  bytes: Map<string, number>;
}

export interface UplinkReading {
  sample: UplinkSample;
  /** Video layers (by rid, lowest first) whose bytes grew since the previous reading. */
  layersSending: string[];
  counters: UplinkCounters;
}

/** An outbound stream whose bytes grew less than this in a reading sent nothing that counts (RTCP, padding). */
const SENDING_BYTES = 200;

const LIMITATIONS: readonly string[] = ['none', 'bandwidth', 'cpu', 'other'] satisfies QualityLimitation[];

/**
 * Reads the organizer's send transport from one getStats() report and the counters of the previous one:
 * rates, the server's view of loss (its receiver reports come back as remote-inbound-rtp), the round
 * trip, the browser's estimate of the uplink and which simulcast layers carry bytes. Pure: the caller
 * owns the clock and the stats call.
 */
export function readUplink(entries: Iterable<StatsEntry>, nowMs: number, previous: UplinkCounters | null): UplinkReading {
  const all = [...entries];
  const byId = new Map(all.map((entry) => [entry.id, entry]));
  const bytes = new Map<string, number>();
  let sentBytes = 0;
  const layersSending: string[] = [];
  let videoLimitation: QualityLimitation | null = null;
  const elapsedSeconds = previous ? (nowMs - previous.atMs) / 1000 : 0;

  for (const entry of all) {
    if (entry.type !== 'outbound-rtp') continue;
    const total = (entry.bytesSent ?? 0) + (entry.headerBytesSent ?? 0);
    bytes.set(entry.id, total);
    const grew = total - (previous?.bytes.get(entry.id) ?? total);
    sentBytes += Math.max(0, grew);
    if (entry.kind === 'video' && grew >= SENDING_BYTES) {
      layersSending.push(entry.rid ?? '');
      const reason = entry.qualityLimitationReason ?? 'none';
      // The worst reason of the layers being sent: one held back by the link is the link's answer.
      if (LIMITATIONS.includes(reason) && (videoLimitation === null || videoLimitation === 'none')) {
        videoLimitation = reason as QualityLimitation;
      }
    }
  }
  layersSending.sort();

  let audioLoss: number | null = null;
  let videoLoss: number | null = null;
  let roundTripSeconds: number | null = null;
  for (const entry of all) {
    if (entry.type !== 'remote-inbound-rtp' || entry.fractionLost === undefined) continue;
    const local = entry.localId ? byId.get(entry.localId) : undefined;
    const kind = entry.kind ?? local?.kind;
    if (kind === 'audio') audioLoss = Math.max(audioLoss ?? 0, entry.fractionLost);
    if (kind === 'video') videoLoss = Math.max(videoLoss ?? 0, entry.fractionLost);
    if (entry.roundTripTime !== undefined) roundTripSeconds = Math.max(roundTripSeconds ?? 0, entry.roundTripTime);
  }

  const pair = selectedPair(all, byId);
  if (pair?.currentRoundTripTime !== undefined) roundTripSeconds = Math.max(roundTripSeconds ?? 0, pair.currentRoundTripTime);

  return {
    sample: {
      outgoingBps: elapsedSeconds > 0 ? (sentBytes * 8) / elapsedSeconds : 0,
      availableBps: pair?.availableOutgoingBitrate ?? null,
      audioLoss,
      videoLoss,
      roundTripSeconds,
      videoLimitation,
    },
    layersSending,
    counters: { atMs: nowMs, bytes },
  };
}

function selectedPair(all: StatsEntry[], byId: Map<string, StatsEntry>): StatsEntry | undefined {
  const transport = all.find((entry) => entry.type === 'transport' && entry.selectedCandidatePairId);
  if (transport) return byId.get(transport.selectedCandidatePairId!);
  return all.find((entry) => entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded');
}
