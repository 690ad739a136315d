import { describe, expect, it } from 'vitest';
import { readUplink, type StatsEntry } from '../../../../client/src/studio/uplinkStats';

/** A send transport's report: sound, three simulcast layers, the server's receiver reports and the ICE pair. */
function report(bytes: { audio: number; r0: number; r1: number; r2: number }, extra: Partial<Record<string, Partial<StatsEntry>>> = {}): StatsEntry[] {
  const outbound = (id: string, kind: string, sent: number, rid?: string): StatsEntry => ({
    type: 'outbound-rtp',
    id,
    kind,
    rid,
    bytesSent: sent,
    headerBytesSent: 0,
    ...(kind === 'video' ? { qualityLimitationReason: 'none' } : {}),
    ...extra[id],
  });
  return [
    outbound('out-a', 'audio', bytes.audio),
    outbound('out-r0', 'video', bytes.r0, 'r0'),
    outbound('out-r1', 'video', bytes.r1, 'r1'),
    outbound('out-r2', 'video', bytes.r2, 'r2'),
    { type: 'remote-inbound-rtp', id: 'rin-a', localId: 'out-a', kind: 'audio', fractionLost: 0.02, roundTripTime: 0.08 },
    { type: 'remote-inbound-rtp', id: 'rin-r0', localId: 'out-r0', kind: 'video', fractionLost: 0.1, roundTripTime: 0.09 },
    { type: 'transport', id: 't', selectedCandidatePairId: 'pair' },
    { type: 'candidate-pair', id: 'other', availableOutgoingBitrate: 1, nominated: false, state: 'failed' },
    { type: 'candidate-pair', id: 'pair', availableOutgoingBitrate: 700_000, currentRoundTripTime: 0.07, nominated: true, state: 'succeeded' },
  ];
}

describe('readUplink', () => {
  it('turns two readings a second apart into the rate sent, the layers carrying bytes, loss, round trip and the estimate', () => {
    const first = readUplink(report({ audio: 1_000, r0: 10_000, r1: 20_000, r2: 30_000 }), 0, null);
    expect(first.sample.outgoingBps).toBe(0);
    const second = readUplink(
      report({ audio: 5_000, r0: 25_000, r1: 70_000, r2: 30_050 }, { 'out-r1': { qualityLimitationReason: 'bandwidth' } }),
      1_000,
      first.counters,
    );
    // 4 000 + 15 000 + 50 000 + 50 bytes in one second.
    expect(second.sample.outgoingBps).toBe(69_050 * 8);
    // The top layer's 50 bytes are RTCP-sized, not video.
    expect(second.layersSending).toEqual(['r0', 'r1']);
    expect(second.sample).toMatchObject({
      availableBps: 700_000,
      audioLoss: 0.02,
      videoLoss: 0.1,
      roundTripSeconds: 0.09,
      videoLimitation: 'bandwidth',
    });
  });

  it('reads no video limitation while no layer is sent, and nothing unknown as zero', () => {
    const entries: StatsEntry[] = [{ type: 'outbound-rtp', id: 'out-a', kind: 'audio', bytesSent: 100 }];
    const first = readUplink(entries, 0, null);
    const second = readUplink([{ ...entries[0]!, bytesSent: 4_100 }], 2_000, first.counters);
    expect(second.sample).toEqual({
      outgoingBps: 16_000,
      availableBps: null,
      audioLoss: null,
      videoLoss: null,
      roundTripSeconds: null,
      videoLimitation: null,
    });
    expect(second.layersSending).toEqual([]);
  });
});
