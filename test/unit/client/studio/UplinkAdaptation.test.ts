import { describe, expect, it } from 'vitest';
import {
  DEFAULT_UPLINK_OPTIONS,
  UplinkAdaptation,
  layersNeedBps,
  type UplinkDecision,
  type UplinkSample,
} from '../../../../client/src/studio/UplinkAdaptation';

/** A 2 Mbps uplink carrying all three layers cleanly. */
const CLEAR: UplinkSample = {
  outgoingBps: 1_500_000,
  availableBps: 2_000_000,
  audioLoss: 0,
  videoLoss: 0,
  roundTripSeconds: 0.05,
  videoLimitation: 'none',
};
/** About 1 Mbps: room for two layers, not three. */
const MEGABIT: UplinkSample = { ...CLEAR, outgoingBps: 900_000, availableBps: 950_000, videoLimitation: 'bandwidth' };
/** A 64 kbps uplink under video: the queue overflows and the sound breaks. */
const COLLAPSED: UplinkSample = { ...CLEAR, outgoingBps: 60_000, availableBps: 60_000, audioLoss: 0.3, videoLoss: 0.5, roundTripSeconds: 1.2 };
/** The same link with the sound alone: it fits, and the estimate cannot rise above what is sent. */
const SOUND_ONLY: UplinkSample = { ...CLEAR, outgoingBps: 40_000, availableBps: 55_000, videoLimitation: null };

/** One observation a second from `from` to `to` (inclusive); returns the layer count at each change. */
function run(adaptation: UplinkAdaptation, from: number, to: number, sample: UplinkSample): Array<[number, UplinkDecision]> {
  const changes: Array<[number, UplinkDecision]> = [];
  for (let t = from; t <= to; t += 1_000) {
    const before = adaptation.layers;
    const decision = adaptation.observe(t, sample);
    if (decision.layers !== before) changes.push([t, decision]);
  }
  return changes;
}

describe('UplinkAdaptation', () => {
  it('keeps all three layers on a clear link', () => {
    const adaptation = new UplinkAdaptation();
    expect(run(adaptation, 0, 60_000, CLEAR)).toEqual([]);
    expect(adaptation.layers).toBe(3);
  });

  it('drops the top layer when the estimate cannot carry it, after the congestion held two seconds', () => {
    const adaptation = new UplinkAdaptation();
    expect(layersNeedBps(3)).toBeGreaterThan(MEGABIT.availableBps!);
    expect(layersNeedBps(2)).toBeLessThan(MEGABIT.availableBps!);
    const changes = run(adaptation, 0, 30_000, MEGABIT);
    expect(changes).toEqual([[2_000, { layers: 2, audioOnlySoon: false }]]);
  });

  it('ignores a short estimate while the encoder is held back by the CPU, not the link', () => {
    const adaptation = new UplinkAdaptation();
    expect(run(adaptation, 0, 30_000, { ...MEGABIT, videoLimitation: 'cpu' })).toEqual([]);
  });

  it('stops the video at once when the sound itself is breaking, keeping the sound', () => {
    const adaptation = new UplinkAdaptation();
    run(adaptation, 0, 10_000, CLEAR);
    // The organizer is warned during the second before.
    expect(adaptation.observe(11_000, COLLAPSED)).toEqual({ layers: 3, audioOnlySoon: true });
    expect(run(adaptation, 12_000, 20_000, COLLAPSED)).toEqual([[12_000, { layers: 0, audioOnlySoon: false }]]);
  });

  it('steps down one layer at a time on moderate loss, warning before the last step to sound only', () => {
    const adaptation = new UplinkAdaptation();
    const lossy = { ...CLEAR, videoLoss: 0.08 };
    const decisions: UplinkDecision[] = [];
    for (let t = 0; t <= 20_000; t += 1_000) decisions.push(adaptation.observe(t, lossy));
    const layers = decisions.map((d) => d.layers);
    expect(layers.slice(0, 3)).toEqual([3, 3, 2]);
    // Settling between steps: the next change waits for the new rate to take effect.
    expect(layers.indexOf(1)).toBe(5);
    expect(layers.indexOf(0)).toBe(8);
    // While at one layer and struggling, the organizer is warned that sound only is next.
    expect(decisions.slice(5, 8).every((d) => d.audioOnlySoon)).toBe(true);
    expect(decisions.slice(0, 5).some((d) => d.audioOnlySoon)).toBe(false);
  });

  it('brings video back as a one-layer trial after a clear spell, and climbs when the estimate proves room', () => {
    const adaptation = new UplinkAdaptation();
    run(adaptation, 0, 5_000, COLLAPSED);
    expect(adaptation.layers).toBe(0);
    const back = run(adaptation, 6_000, 60_000, CLEAR);
    expect(back[0]).toEqual([6_000 + DEFAULT_UPLINK_OPTIONS.firstReturnWaitMs, { layers: 1, audioOnlySoon: false }]);
    expect(back.map(([, d]) => d.layers)).toEqual([1, 2, 3]);
    // Each step up waits out the estimate's grace and a clear spell.
    expect(back[1]![0] - back[0]![0]).toBeGreaterThanOrEqual(DEFAULT_UPLINK_OPTIONS.returnGraceMs);
  });

  it('doubles the wait each time the link refuses a trial, and resets it once a trial holds', () => {
    const adaptation = new UplinkAdaptation();
    run(adaptation, 0, 5_000, COLLAPSED);
    // The link stays bad: each trial sends video into it, and it is dropped again.
    let droppedAt = 5_000;
    const waits: number[] = [];
    for (let t = 6_000; t <= 600_000; t += 1_000) {
      const before = adaptation.layers;
      const after = adaptation.observe(t, before === 0 ? SOUND_ONLY : COLLAPSED).layers;
      if (after > before) waits.push(t - droppedAt);
      if (after === 0 && before > 0) droppedAt = t;
    }
    const first = DEFAULT_UPLINK_OPTIONS.firstReturnWaitMs;
    // Each wait counts from the first clear second after the drop.
    expect(waits.slice(0, 6)).toEqual([first, first * 2, first * 4, first * 8, DEFAULT_UPLINK_OPTIONS.maxReturnWaitMs, DEFAULT_UPLINK_OPTIONS.maxReturnWaitMs].map((w) => w + 1_000));

    // A trial that holds: the next drop waits only the first wait again.
    const held = new UplinkAdaptation();
    run(held, 0, 5_000, COLLAPSED);
    run(held, 6_000, 60_000, CLEAR);
    expect(held.layers).toBeGreaterThan(0);
    run(held, 61_000, 70_000, COLLAPSED);
    expect(held.layers).toBe(0);
    const next = run(held, 71_000, 120_000, SOUND_ONLY);
    expect(next[0]![0]).toBe(71_000 + DEFAULT_UPLINK_OPTIONS.firstReturnWaitMs);
  });

  it('does not hold the low estimate of a fresh video stream against it', () => {
    const adaptation = new UplinkAdaptation();
    adaptation.videoStarted(0);
    // The browser's estimate starts low and climbs over the first seconds.
    const rising: UplinkSample = { ...CLEAR, availableBps: 300_000 };
    expect(run(adaptation, 0, DEFAULT_UPLINK_OPTIONS.returnGraceMs - 1_000, rising)).toEqual([]);
    expect(run(adaptation, DEFAULT_UPLINK_OPTIONS.returnGraceMs, 30_000, CLEAR)).toEqual([]);
    expect(adaptation.layers).toBe(3);
  });
});
