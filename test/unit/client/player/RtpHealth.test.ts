import { describe, expect, it } from 'vitest';
import { readRtpTotals, rtpHealth } from '../../../../client/src/player/RtpHealth';

/** An RTCStatsReport as Chromium fills it, reduced to the fields read. */
function report(
  at: number,
  audio: { received: number; lost: number; bytes: number; jitter: number; samples?: number; concealed?: number },
  checks: [number, number],
) {
  return new Map<string, Record<string, unknown>>([
    ['A', { type: 'inbound-rtp', kind: 'audio', ssrc: 1, packetsReceived: audio.received, packetsLost: audio.lost, bytesReceived: audio.bytes, jitter: audio.jitter, totalSamplesReceived: audio.samples, concealedSamples: audio.concealed, timestamp: at }],
    ['V', { type: 'inbound-rtp', kind: 'video', ssrc: 2, packetsReceived: 500, packetsLost: 0, bytesReceived: 400_000, frameHeight: 360, timestamp: at }],
    ['P', { type: 'inbound-rtp', kind: 'video', ssrc: 1234, packetsReceived: 900, packetsLost: 50, bytesReceived: 900_000, timestamp: at }],
    ['C', { type: 'candidate-pair', nominated: true, state: 'succeeded', requestsSent: checks[0], responsesReceived: checks[1], currentRoundTripTime: 0.08, timestamp: at }],
  ]) as unknown as Iterable<[string, { type: string; timestamp: number }]>;
}

describe('RTP health from getStats()', () => {
  it('derives loss, bitrate and unanswered checks over a window, ignoring the bandwidth probator', () => {
    const before = readRtpTotals(report(0, { received: 100, lost: 0, bytes: 10_000, jitter: 0.01 }, [4, 4]));
    const after = readRtpTotals(report(2_000, { received: 190, lost: 10, bytes: 18_000, jitter: 0.2 }, [9, 5]));
    expect(after.videoHeight).toBe(360);
    const health = rtpHealth(before, after);
    expect(health.audioLoss).toBeCloseTo(0.1);
    expect(health.videoLoss).toBeNull();
    expect(health.videoPacketsDue).toBe(0);
    expect(health.audioBps).toBe(32_000);
    expect(health.videoBps).toBe(0);
    expect(health.audioJitterSeconds).toBe(0.2);
    expect(health.unansweredChecks).toBe(4);
    expect(health.roundTripSeconds).toBe(0.08);
    expect(health.audioConcealment).toBeNull();
  });

  it('gives the share of the sound the decoder made up, known before any loss shows', () => {
    const before = readRtpTotals(report(0, { received: 100, lost: 0, bytes: 10_000, jitter: 0.01, samples: 480_000, concealed: 1_000 }, [4, 4]));
    // Two packets in a second, no gap in their numbers yet: the loss reads 0, the decoder made up 90 %.
    const after = readRtpTotals(report(1_000, { received: 102, lost: 0, bytes: 10_500, jitter: 0.01, samples: 528_000, concealed: 44_200 }, [5, 4]));
    const health = rtpHealth(before, after);
    expect(health.audioLoss).toBe(0);
    expect(health.audioConcealment).toBeCloseTo(0.9);
    // A new stream starts its counters again: nothing to say about the window.
    expect(rtpHealth(after, before).audioConcealment).toBeNull();
  });
});
