import { describe, expect, it } from 'vitest';
import type { LinkVerdict, PlaybackMode } from '../../../../client/src/player/ModeController';
import type { RtpHealth } from '../../../../client/src/player/RtpHealth';
import { WebRtcAdaptation, type WebRtcDecision } from '../../../../client/src/player/WebRtcAdaptation';

const CLEAN: RtpHealth = {
  audioLoss: 0,
  videoLoss: 0,
  audioConcealment: 0,
  videoPacketsDue: 100,
  audioJitterSeconds: 0.02,
  unansweredChecks: 0,
  roundTripSeconds: 0.05,
  audioBps: 32_000,
  videoBps: 400_000,
};
/** The lowest layer and the sound. */
const VIDEO_NEED_BPS = 136_000;
/** Squeezed: video loses much, the sound a little. */
const CONGESTED: RtpHealth = { ...CLEAN, audioLoss: 0.08, videoLoss: 0.6, audioBps: 30_000, videoBps: 30_000 };
/** Collapsed far below the lowest layer: the sound itself loses a fifth and more. */
const COLLAPSED: RtpHealth = { ...CLEAN, audioLoss: 0.3, videoLoss: 0.8, audioBps: 22_000, videoBps: 10_000 };
/** A link that queues instead of dropping: nothing is lost, everything is late. */
const BLOATED: RtpHealth = { ...CLEAN, audioJitterSeconds: 0.2, unansweredChecks: 6, audioBps: 4_000, videoBps: 30_000 };

function observe(
  adaptation: WebRtcAdaptation,
  t: number,
  health: RtpHealth,
  { mode = 'video', receivingLayer = null, videoScore = null, httpVerdict = null, recent = null, lastSecond = null }: {
    mode?: PlaybackMode;
    receivingLayer?: number | null;
    videoScore?: number | null;
    httpVerdict?: LinkVerdict | null;
    recent?: RtpHealth | null;
    lastSecond?: RtpHealth | null;
  } = {},
): WebRtcDecision {
  return adaptation.observe(t, { health, recent, lastSecond, mode, receivingLayer, videoScore, httpVerdict, videoNeedBps: VIDEO_NEED_BPS });
}

/** One observation a second; returns every decision that asked for something. */
function run(adaptation: WebRtcAdaptation, from: number, to: number, health: RtpHealth, extra = {}): Array<[number, WebRtcDecision]> {
  const decisions: Array<[number, WebRtcDecision]> = [];
  for (let t = from; t <= to; t += 1_000) {
    const decision = observe(adaptation, t, health, extra);
    if (decision.layer !== null || decision.verdict === 'insufficient' || decision.unhealthy) decisions.push([t, decision]);
  }
  return decisions;
}

describe('WebRtcAdaptation', () => {
  it('lowers the simulcast layer one step at a time before giving up video', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    const decisions = run(adaptation, 0, 10_000, CONGESTED);
    expect(decisions.map(([, d]) => d.layer ?? d.verdict).slice(0, 3)).toEqual([1, 0, 'insufficient']);
    // A layer change is given time to take effect before the next judgement.
    expect(decisions[1]![0] - decisions[0]![0]).toBeGreaterThanOrEqual(3_000);
  });

  it('gives up video at the first sight of a collapse under the sound, without a hold or a walk down the layers', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    const decisions = run(adaptation, 0, 3_000, COLLAPSED);
    expect(decisions[0]).toEqual([0, { verdict: 'insufficient', layer: null, unhealthy: false }]);
    // A squeeze short of a collapse is still held before anything changes.
    expect(run(new WebRtcAdaptation(2, false), 0, 1_000, CONGESTED)).toEqual([]);
    // Even right after a layer change, which otherwise waits for the new rate to take effect.
    const stepped = new WebRtcAdaptation(2, false);
    run(stepped, 0, 2_000, CONGESTED);
    expect(stepped.layer).toBe(1);
    expect(run(stepped, 3_000, 5_000, COLLAPSED)[0]).toEqual([3_000, { verdict: 'insufficient', layer: null, unhealthy: false }]);
  });

  it('gives up video within one sample when most of it is lost and what comes is less than the lowest layer needs, before the sound shows any loss', () => {
    // The window still looks clean; in the last half second a 40 kbps link let one video packet in
    // four through (bench:throttle's collapse, traced: much of the sound was late, not lost).
    const flooded: RtpHealth = { ...CLEAN, videoLoss: 0.75, videoPacketsDue: 24, videoBps: 60_000, audioBps: 8_000 };
    const adaptation = new WebRtcAdaptation(2, false);
    adaptation.restartLow(-10_000);
    expect(observe(adaptation, 0, CLEAN, { recent: flooded })).toEqual({ verdict: 'insufficient', layer: null, unhealthy: false });
    // A handful of packets is no evidence.
    expect(observe(new WebRtcAdaptation(2, false), 0, CLEAN, { recent: { ...flooded, videoPacketsDue: 5 } }).verdict).toBe('marginal');
    // A squeeze that lower layers can fix delivers more than the lowest needs, or loses less: left to the window.
    const squeezed = { ...flooded, videoBps: 300_000 };
    expect(observe(new WebRtcAdaptation(2, false), 0, CLEAN, { recent: squeezed }).verdict).toBe('marginal');
    expect(observe(new WebRtcAdaptation(2, false), 0, CLEAN, { recent: { ...flooded, videoLoss: 0.3 } }).verdict).toBe('marginal');
    // Right after a resume the switch of stream may read as loss: not taken for a collapse then.
    const resumed = new WebRtcAdaptation(2, false);
    resumed.restartLow(0);
    expect(observe(resumed, 1_000, CLEAN, { recent: flooded }).verdict).toBe('marginal');
    // A layer change keeps the stream: a collapse right after one is seen at once.
    const stepped = new WebRtcAdaptation(2, false);
    stepped.restartLow(-30_000);
    run(stepped, -20_000, 0, CLEAN);
    expect(stepped.layer).toBe(1);
    expect(observe(stepped, 500, CLEAN, { recent: flooded }).verdict).toBe('insufficient');
  });

  it('steps below the layer the server already fell to, not below the one asked for', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    const decisions = run(adaptation, 0, 3_000, CONGESTED, { receivingLayer: 0 });
    expect(decisions[0]![1].verdict).toBe('insufficient');
  });

  it('gives up video at once on a stream without layers', () => {
    const adaptation = new WebRtcAdaptation(0, false);
    const decisions = run(adaptation, 0, 3_000, CONGESTED);
    expect(decisions[0]![1]).toEqual({ verdict: 'insufficient', layer: null, unhealthy: false });
    expect(decisions[0]![0]).toBe(2_000);
  });

  it('takes a low consumer score as congestion even when the loss counters look clean', () => {
    const adaptation = new WebRtcAdaptation(0, false);
    expect(run(adaptation, 0, 3_000, CLEAN, { videoScore: 3 })).not.toEqual([]);
    expect(run(new WebRtcAdaptation(0, false), 0, 3_000, CLEAN, { videoScore: 9 })).toEqual([]);
  });

  it('sees congestion on a link that queues rather than drops: bunched-up sound, unanswered checks, long round trips', () => {
    for (const health of [BLOATED, { ...CLEAN, roundTripSeconds: 3 }, { ...CLEAN, audioJitterSeconds: 0.2 }, { ...CLEAN, unansweredChecks: 3 }]) {
      const decisions = run(new WebRtcAdaptation(0, false), 0, 3_000, health);
      expect(decisions[0]?.[1].verdict).toBe('insufficient');
    }
  });

  it('climbs back one layer after a clear spell, not sooner', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    adaptation.restartLow(0);
    const decisions = run(adaptation, 1_000, 40_000, CLEAN);
    expect(decisions.map(([t, d]) => [t, d.layer])).toEqual([
      [16_000, 1],
      [32_000, 2],
    ]);
  });

  it('holds the layer the attendee chose and still drops video when the link cannot carry it', () => {
    const adaptation = new WebRtcAdaptation(1, true);
    const decisions = run(adaptation, 0, 3_000, CONGESTED);
    expect(decisions.every(([, d]) => d.layer === null)).toBe(true);
    expect(decisions[0]![1].verdict).toBe('insufficient');
    expect(adaptation.layer).toBe(1);
  });

  it('returns to the top layer when the attendee goes from a chosen quality back to auto', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    adaptation.setLimit(0, true);
    expect(adaptation.layer).toBe(0);
    adaptation.setLimit(2, false);
    expect(adaptation.layer).toBe(2);
  });

  it('in audio only, follows the HTTP verdict for the way back, unless the sound itself is losing packets', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    const clean = observe(adaptation, 0, { ...CLEAN, videoLoss: null }, { mode: 'audio', httpVerdict: 'sufficient' });
    expect(clean.verdict).toBe('sufficient');
    const lossy = observe(adaptation, 1_000, { ...CLEAN, audioLoss: 0.07, videoLoss: null }, { mode: 'audio', httpVerdict: 'sufficient' });
    expect(lossy.verdict).toBe('insufficient');
    const late = observe(adaptation, 2_000, { ...BLOATED, videoLoss: null }, { mode: 'audio', httpVerdict: 'sufficient' });
    expect(late.verdict).toBe('insufficient');
  });

  it('calls WebRTC unhealthy when even audio only keeps losing packets, counted once audio only has settled', () => {
    const adaptation = new WebRtcAdaptation(2, false);
    const decisions = run(adaptation, 0, 12_000, { ...COLLAPSED, videoLoss: null }, { mode: 'audio' });
    const firstUnhealthy = decisions.find(([, d]) => d.unhealthy);
    // 4 s for the window to forget the collapse that ended video, then 6 s of failing sound.
    expect(firstUnhealthy?.[0]).toBe(10_000);
    // A packet or two lost every few seconds is suffering (no picture, no way back), not a failure.
    const leaky = new WebRtcAdaptation(2, false);
    const occasional = run(leaky, 0, 30_000, { ...CLEAN, audioLoss: 0.08, videoLoss: null }, { mode: 'audio' });
    expect(occasional.some(([, d]) => d.unhealthy)).toBe(false);
    expect(occasional.every(([, d]) => d.verdict === 'insufficient')).toBe(true);
    const brief = new WebRtcAdaptation(2, false);
    run(brief, 0, 4_000, { ...BLOATED, videoLoss: null }, { mode: 'audio' });
    expect(run(brief, 5_000, 12_000, { ...CLEAN, videoLoss: null }, { mode: 'audio' }).some(([, d]) => d.unhealthy)).toBe(false);
  });

  it('calls WebRTC unhealthy two seconds after the server stopped video when half the sound still does not come (UDP squeezed)', () => {
    const starving: RtpHealth = { ...CLEAN, audioLoss: 0.6, videoLoss: null };
    const audio = { mode: 'audio' as const };
    const adaptation = new WebRtcAdaptation(2, false);
    // Before the server answered, what is lost may be the video queued ahead of the sound.
    expect(observe(adaptation, 0, starving, { ...audio, lastSecond: starving }).unhealthy).toBe(false);
    adaptation.audioOnlyApplied(500);
    // The queue is given time to drain out of the second judged, then the loss must hold.
    const judged = [1_000, 1_500, 2_000, 2_480].map((t) => observe(adaptation, t, starving, { ...audio, lastSecond: starving }).unhealthy);
    expect(judged).toEqual([false, false, false, true]);
    // A burst between clean seconds is not a starved link.
    const bursty = new WebRtcAdaptation(2, false);
    bursty.audioOnlyApplied(0);
    const seconds = [starving, CLEAN, starving, CLEAN, starving, CLEAN];
    expect(seconds.some((lastSecond, i) => observe(bursty, 2_000 + i * 500, CLEAN, { ...audio, lastSecond }).unhealthy)).toBe(false);
    // Video back forgets the server's answer: the next audio only waits for it again.
    observe(bursty, 6_000, CLEAN);
    expect(observe(bursty, 8_000, starving, { ...audio, lastSecond: starving }).unhealthy).toBe(false);
    expect(observe(bursty, 8_500, starving, { ...audio, lastSecond: starving }).unhealthy).toBe(false);
  });

  it('calls WebRTC unhealthy from the server\'s answer on, without the drain, when the decoder makes up most of the sound and checks go unanswered', () => {
    const audio = { mode: 'audio' as const };
    // Traced on UDP squeezed to 8 kbps: a packet a half second, no gap seen in their numbers yet, no check answered.
    const cutOff: RtpHealth = { ...CLEAN, audioLoss: 0, audioConcealment: 0.8, videoLoss: null, unansweredChecks: 1, audioBps: 2_000 };
    const adaptation = new WebRtcAdaptation(2, false);
    expect(observe(adaptation, 0, CLEAN, { ...audio, lastSecond: cutOff }).unhealthy).toBe(false);
    adaptation.audioOnlyApplied(100);
    expect([500, 990].map((t) => observe(adaptation, t, CLEAN, { ...audio, lastSecond: cutOff }).unhealthy)).toEqual([false, true]);
    // Traced at 40 kbps: checks waited behind the video draining, and half the sound was made up; then it came back whole.
    const draining = new WebRtcAdaptation(2, false);
    draining.audioOnlyApplied(100);
    const seconds: RtpHealth[] = [
      { ...cutOff, audioLoss: 0.33, audioConcealment: 0.6, audioBps: 8_900 },
      { ...cutOff, audioLoss: 0.44, audioConcealment: 0.54, audioBps: 10_800 },
      { ...CLEAN, audioLoss: 0.44, audioConcealment: 0.4, videoLoss: null, audioBps: 10_000 },
      { ...cutOff, audioLoss: 0.11, audioConcealment: 0.1, audioBps: 17_000 },
    ];
    expect(seconds.some((lastSecond, i) => observe(draining, 500 + i * 500, CLEAN, { ...audio, lastSecond }).unhealthy)).toBe(false);
  });

  it('gives video up at once when the decoder makes up the sound and checks go unanswered, not when the source stops', () => {
    const cutOff: RtpHealth = { ...CLEAN, audioLoss: null, audioConcealment: 1, videoLoss: null, videoPacketsDue: 1, unansweredChecks: 1, audioBps: 0 };
    expect(observe(new WebRtcAdaptation(2, false), 0, CLEAN, { lastSecond: cutOff }).verdict).toBe('insufficient');
    // The organizer's media stopped (or a busy server): the server still answers, the link is not to blame.
    const sourceStopped: RtpHealth = { ...cutOff, unansweredChecks: 0 };
    const listening = new WebRtcAdaptation(2, false);
    expect(observe(listening, 0, CLEAN, { lastSecond: sourceStopped }).verdict).toBe('marginal');
    listening.audioOnlyApplied(200);
    const silent = run(listening, 500, 10_000, { ...CLEAN, audioLoss: null, videoLoss: null }, { mode: 'audio', lastSecond: sourceStopped });
    expect(silent.some(([, d]) => d.unhealthy)).toBe(false);
  });

  describe('the stage picture', () => {
    const AUDIO = { mode: 'audio' as const };
    const SUFFERING: RtpHealth = { ...CLEAN, audioLoss: 0.1, videoLoss: null };
    const QUIET: RtpHealth = { ...CLEAN, videoLoss: null };

    it('has its turn whenever the sound is clean, when audio only is not for a failed link (no video, the data saver)', () => {
      const adaptation = new WebRtcAdaptation(2, false);
      observe(adaptation, 0, SUFFERING, AUDIO);
      expect(adaptation.pictureTurn(0, false)).toBe(false);
      observe(adaptation, 1_000, QUIET, AUDIO);
      expect(adaptation.pictureTurn(1_000, false)).toBe(true);
      expect(adaptation.pictureTurn(2_000, false)).toBe(true);
    });

    it('after the link failed video, has its first turn a minute into audio only and then once a minute, while the sound is clean', () => {
      const adaptation = new WebRtcAdaptation(2, false);
      observe(adaptation, 0, COLLAPSED);
      observe(adaptation, 1_000, SUFFERING, AUDIO);
      observe(adaptation, 60_000, QUIET, AUDIO);
      expect(adaptation.pictureTurn(60_000, true)).toBe(false);
      observe(adaptation, 61_000, SUFFERING, AUDIO);
      expect(adaptation.pictureTurn(61_000, true)).toBe(false);
      observe(adaptation, 62_000, QUIET, AUDIO);
      expect(adaptation.pictureTurn(62_000, true)).toBe(true);
      expect(adaptation.pictureTurn(100_000, true)).toBe(false);
      expect(adaptation.pictureTurn(122_000, true)).toBe(true);
    });
  });
});
