import { describe, expect, it } from 'vitest';
import { estimated } from '../../../helpers/judgement';
import { starving, videoVerdict, type FragmentLoad, type VideoView } from '../../../../client/src/player/videoOutlook';

/** 2-second fragments of the 360p rung (450 kbps), the 720p one (1464 kbps), and what the 180p rung (132 kbps) makes of the same seconds. */
const RUNG_360P_BYTES = (450_000 * 2) / 8;
const RUNG_180P_BYTES = (132_000 * 2) / 8;
const RUNG_720P_BYTES = (1_464_000 * 2) / 8;

/** What the 180p rung needs with its sound. */
const VIDEO_NEED_BPS = 158_000;

/** A fragment requested at 0 whose first byte came at `firstByteMs`, `loadedBytes` in by `nowMs` of the view. */
function fragment(overrides: Partial<FragmentLoad> = {}): FragmentLoad {
  return { startMs: 0, firstByteMs: 500, loadedBytes: 0, totalBytes: RUNG_360P_BYTES, lowestRungBytes: RUNG_180P_BYTES, silenceAllowanceMs: 0, ...overrides };
}

function view(overrides: Partial<VideoView> = {}): VideoView {
  return { nowMs: 1_500, bufferAheadSeconds: 5, fragment: fragment(), linkBps: null, videoNeedBps: VIDEO_NEED_BPS, soundReady: false, ...overrides };
}

/** Bytes that `kbps` carries in `ms`. */
function carried(kbps: number, ms: number): number {
  return (kbps * ms) / 8;
}

describe('starving', () => {
  it('switches at once when a 360p fragment loads at 40 kbps and even a 180p one would outlast the buffer', () => {
    // 1 s of flow at 40 kbps: 5 KB of 56 KB; the rest takes 10 s, 180p's 33 KB 6.6 s, the buffer holds 5.
    const collapse = view({ fragment: fragment({ loadedBytes: carried(40, 1_000) }) });
    expect(starving(collapse)).toBe(true);
    expect(videoVerdict(estimated('marginal'), collapse)).toMatchObject({ verdict: 'insufficient', rule: 'emergency' });
    expect(videoVerdict(estimated(null), collapse).verdict).toBe('insufficient');
  });

  it('leaves it to hls.js when its abort to the lowest rung would arrive in time', () => {
    // A 720p fragment (366 KB) at 400 kbps: its rest takes 6.3 s against 3 s of buffer, 180p's 33 KB 0.7 s.
    const late = view({
      bufferAheadSeconds: 3,
      fragment: fragment({ totalBytes: RUNG_720P_BYTES, loadedBytes: carried(400, 1_000) }),
    });
    expect(starving(late)).toBe(false);
    expect(videoVerdict(estimated('marginal'), late).verdict).toBe('marginal');
  });

  it('switches when the fragment late for the buffer is already from the lowest rung', () => {
    const lowest = view({
      bufferAheadSeconds: 2,
      fragment: fragment({ totalBytes: RUNG_180P_BYTES, loadedBytes: carried(60, 1_000) }),
    });
    // 180p's rest at 60 kbps: 3.4 s, against 2 s of buffer and 1 s of tolerated stall.
    expect(starving(lowest)).toBe(true);
  });

  it('waits for a fragment that arrives before the buffer runs out', () => {
    const onTime = view({ fragment: fragment({ loadedBytes: carried(1_200, 1_000) }) });
    expect(starving(onTime)).toBe(false);
    expect(videoVerdict(estimated('sufficient'), onTime).verdict).toBe('sufficient');
  });

  it('tolerates a stall of under a second rather than switching', () => {
    // 180p's rest at 132 kbps: 1.5 s, against 0.6 s of buffer: 0.9 s of stall.
    const slightlyLate = view({
      bufferAheadSeconds: 0.6,
      fragment: fragment({ totalBytes: RUNG_180P_BYTES, loadedBytes: carried(132, 500), firstByteMs: 1_000 }),
    });
    expect(starving(slightlyLate)).toBe(false);
  });

  it('trusts the estimator over the fragment average that still carries a fast start before the collapse', () => {
    // Half the fragment came at 1.5 Mbps, then the link dropped: its own average still reads ~280 kbps.
    const collapsedMidway = view({ fragment: fragment({ loadedBytes: RUNG_360P_BYTES / 2 }), linkBps: 40_000 });
    expect(starving(collapsedMidway)).toBe(true);
    expect(starving({ ...collapsedMidway, linkBps: null })).toBe(false);
  });

  it('switches when no first byte came in longer than the buffer lasts', () => {
    const silent = view({ nowMs: 4_100, bufferAheadSeconds: 3, fragment: fragment({ firstByteMs: 0 }) });
    expect(starving(silent)).toBe(true);
    expect(starving({ ...silent, nowMs: 3_900 })).toBe(false);
  });

  it('leaves a host silent for less than the mirror allowance to the failover, then judges the wait as before', () => {
    const silent = view({ nowMs: 2_500, bufferAheadSeconds: 1, fragment: fragment({ firstByteMs: 0, silenceAllowanceMs: 3_000 }) });
    expect(starving(silent)).toBe(false);
    expect(starving({ ...silent, fragment: fragment({ firstByteMs: 0 }) })).toBe(true);
    expect(starving({ ...silent, nowMs: 3_000 })).toBe(true);
  });

  it('does not judge a fragment whose rate is not known yet', () => {
    expect(starving(view({ nowMs: 600, fragment: fragment({ loadedBytes: 100 }) }))).toBe(false);
  });

  it('has nothing to judge when no fragment is loading', () => {
    expect(starving(view({ fragment: null, bufferAheadSeconds: 0, linkBps: 10_000 }))).toBe(false);
  });
});

describe('videoVerdict', () => {
  it('rides out a low link with a reservoir of 10 s or more buffered: the estimator’s insufficient becomes marginal', () => {
    const buffered = view({ fragment: null, bufferAheadSeconds: 12, linkBps: 60_000 });
    expect(videoVerdict(estimated('insufficient'), buffered)).toMatchObject({ verdict: 'marginal', rule: 'estimate' });
  });

  it('rides nothing out when the sound is buffered and ready to take over: the switch costs less than any wait', () => {
    const ready = view({ fragment: null, bufferAheadSeconds: 12, linkBps: 60_000, soundReady: true });
    expect(videoVerdict(estimated('insufficient'), ready)).toMatchObject({ verdict: 'insufficient', rule: 'estimate' });
    expect(videoVerdict(estimated('insufficient'), ready).detail).toContain('sound ready');
    const draining = view({ nowMs: 1_700, bufferAheadSeconds: 12, fragment: fragment({ loadedBytes: carried(40, 1_200) }), soundReady: true });
    expect(videoVerdict(estimated('sufficient'), draining)).toMatchObject({ verdict: 'insufficient', rule: 'drain' });
  });

  it('lets the estimator drop video with less buffered, while the buffer still plays for the sound to load', () => {
    const live = view({ fragment: null, bufferAheadSeconds: 6, linkBps: 60_000 });
    expect(videoVerdict(estimated('insufficient'), live)).toMatchObject({ verdict: 'insufficient', rule: 'estimate' });
  });

  it('drops video when the fragment under way has flowed slower than the lowest rung needs for a second, before the estimator sees it', () => {
    // First byte at 500, 1.2 s of flow at 40 kbps: 6 KB; hls.js's abort to 180p (33 KB, 6.6 s) would still
    // arrive within 8 s buffered, so the emergency rule waits, but the buffer drains meanwhile.
    const slow = view({ nowMs: 1_700, bufferAheadSeconds: 8, fragment: fragment({ loadedBytes: carried(40, 1_200) }), linkBps: 1_000_000 });
    expect(starving(slow)).toBe(false);
    expect(videoVerdict(estimated('sufficient'), slow)).toMatchObject({ verdict: 'insufficient', rule: 'drain' });
  });

  it('does not judge the fragment’s rate before it has flowed for a second', () => {
    const hiccup = view({ nowMs: 1_300, bufferAheadSeconds: 8, fragment: fragment({ loadedBytes: carried(40, 800) }), linkBps: 1_000_000 });
    expect(videoVerdict(estimated('sufficient'), hiccup).verdict).toBe('sufficient');
  });

  it('leaves video be while the fragment under way flows faster than the lowest rung needs', () => {
    const fine = view({ nowMs: 2_500, bufferAheadSeconds: 6, fragment: fragment({ loadedBytes: carried(300, 2_000) }), linkBps: 300_000 });
    expect(videoVerdict(estimated('marginal'), fine)).toMatchObject({ verdict: 'marginal', rule: 'estimate' });
  });

  it('passes the estimator’s other verdicts through', () => {
    const calm = view({ fragment: null });
    expect(videoVerdict(estimated('marginal'), calm).verdict).toBe('marginal');
    expect(videoVerdict(estimated('sufficient'), calm).verdict).toBe('sufficient');
    expect(videoVerdict(estimated(null), calm).verdict).toBeNull();
  });
});
