import { describe, expect, it } from 'vitest';
import { estimated } from '../../../helpers/judgement';
import { ModeController, type LinkVerdict, type ModeDecision, type PlaybackMode } from '../../../../client/src/player/ModeController';

const options = { downHoldMs: 1_000, upHoldMs: 8_000, maxUpHoldMs: 32_000, stableVideoMs: 60_000 };

/** Feeds one verdict every 500 ms from `from` to `to` and records every change. */
function feed(controller: ModeController, verdict: LinkVerdict | null, from: number, to: number): void {
  for (let t = from; t <= to; t += 500) controller.observe(t, estimated(verdict));
}

function recorder(controller: ModeController): Array<PlaybackMode> {
  const changes: PlaybackMode[] = [];
  controller.on('change', ({ mode }) => changes.push(mode));
  return changes;
}

/** The up hold ends exactly at `t`: audio until then, video from the sufficient verdict at `t`. */
function expectVideoBackAt(controller: ModeController, t: number): void {
  expect(controller.mode).toBe('audio');
  controller.observe(t, estimated('sufficient'));
  expect(controller.mode).toBe('video');
}

describe('ModeController', () => {
  it('drops video once the link has been unable to carry it for the down hold', () => {
    const controller = new ModeController('video', 0, options);
    const changes = recorder(controller);
    feed(controller, 'insufficient', 0, 500);
    expect(controller.mode).toBe('video');
    controller.observe(1_000, estimated('insufficient'));
    expect(controller.mode).toBe('audio');
    expect(changes).toEqual(['audio']);
  });

  it('ignores a short dip that recovers within the down hold', () => {
    const controller = new ModeController('video', 0, options);
    controller.observe(0, estimated('insufficient'));
    controller.observe(500, estimated('marginal'));
    controller.observe(1_000, estimated('insufficient'));
    controller.observe(1_500, estimated('insufficient'));
    expect(controller.mode).toBe('video');
  });

  it('brings video back only after the link has had room to spare for the whole up hold', () => {
    const controller = new ModeController('audio', 0, options);
    feed(controller, 'sufficient', 0, 7_500);
    expectVideoBackAt(controller, 8_000);
  });

  it('starts the up hold again when the link is merely marginal in between', () => {
    const controller = new ModeController('audio', 0, options);
    feed(controller, 'sufficient', 0, 6_000);
    controller.observe(6_500, estimated('marginal'));
    feed(controller, 'sufficient', 7_000, 14_500);
    expectVideoBackAt(controller, 15_000);
  });

  it('keeps its course when a tick brings no new measurement', () => {
    const controller = new ModeController('audio', 0, options);
    controller.observe(0, estimated('sufficient'));
    feed(controller, null, 500, 7_500);
    expectVideoBackAt(controller, 8_000);
  });

  it('does not flap on a link that swings between good and collapsed every few seconds', () => {
    const controller = new ModeController('video', 0, options);
    const changes = recorder(controller);
    let t = 0;
    for (let cycle = 0; cycle < 12; cycle++) {
      feed(controller, 'sufficient', t, t + 9_500);
      t += 10_000;
      feed(controller, 'insufficient', t, t + 1_500);
      t += 2_000;
    }
    // One return after the first collapse; it fails, the wait doubles beyond any good spell, and audio stays.
    expect(changes).toEqual(['audio', 'video', 'audio']);
    expect(controller.mode).toBe('audio');
  });

  it('doubles the wait each time a return to video fails soon, up to its maximum', () => {
    const controller = new ModeController('video', 0, options);
    const holds: number[] = [];
    let t = 0;
    for (let cycle = 0; cycle < 5; cycle++) {
      feed(controller, 'insufficient', t, t + 1_000);
      holds.push(controller.upHoldMs);
      t += 1_500;
      feed(controller, 'sufficient', t, t + 40_000);
      expect(controller.mode).toBe('video');
      t += 40_500;
    }
    expect(holds).toEqual([8_000, 16_000, 32_000, 32_000, 32_000]);
  });

  it('goes back to the short wait after video has lasted', () => {
    const controller = new ModeController('video', 0, options);
    controller.observe(0, estimated('insufficient'));
    controller.observe(1_000, estimated('insufficient'));
    feed(controller, 'sufficient', 1_500, 9_500);
    expect(controller.mode).toBe('video');
    feed(controller, 'insufficient', 10_000, 11_000);
    expect(controller.upHoldMs).toBe(16_000);
    feed(controller, 'sufficient', 11_500, 27_500);
    expect(controller.mode).toBe('video');
    feed(controller, 'sufficient', 28_000, 90_000);
    feed(controller, 'insufficient', 90_500, 91_500);
    expect(controller.mode).toBe('audio');
    expect(controller.upHoldMs).toBe(8_000);
  });

  it('does not count video that followed the audio only playback began with as a failed return', () => {
    // The boot script's sound first, then video, which a collapse ends 20 s later.
    const controller = new ModeController('audio', 0, options);
    feed(controller, 'sufficient', 0, 8_000);
    expect(controller.mode).toBe('video');
    feed(controller, 'insufficient', 28_000, 29_000);
    expect(controller.mode).toBe('audio');
    expect(controller.upHoldMs).toBe(8_000);
  });

  it('does not count the video playback began with as a failed return', () => {
    const controller = new ModeController('video', 0, options);
    feed(controller, 'insufficient', 0, 1_000);
    expect(controller.mode).toBe('audio');
    expect(controller.upHoldMs).toBe(8_000);
  });

  it('records each change with the rule and figures of the verdict that completed it, counted', () => {
    const controller = new ModeController('video', 0, options);
    const decisions: ModeDecision[] = [];
    controller.on('change', (decision) => decisions.push(decision));
    controller.observe(0, estimated('insufficient'));
    controller.observe(1_000, { verdict: 'insufficient', rule: 'emergency', detail: '0.8 s ahead' });
    feed(controller, 'sufficient', 2_000, 10_000);
    expect(decisions).toEqual([
      { count: 1, atMs: 1_000, mode: 'audio', rule: 'emergency', detail: '0.8 s ahead' },
      { count: 2, atMs: 10_000, mode: 'video', rule: 'estimate', detail: '' },
    ]);
  });
});
