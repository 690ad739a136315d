import { describe, expect, it } from 'vitest';
import { TransferMeter, type TransferProgress } from '../../../../client/src/player/TransferMeter';

/** performance.now() is never 0 once a request has started; times below are relative to this. */
const T = 10_000;

function transfer(start: number, first = -T, loaded = 0, end = -T): TransferProgress {
  return { loaded, loading: { start: T + start, first: T + first, end: T + end } };
}

describe('TransferMeter', () => {
  it('measures a finished transfer from its first byte to its end, leaving out the wait for the answer', () => {
    const meter = new TransferMeter();
    meter.track(transfer(0, 400, 10_000, 480));
    const sample = meter.take(T + 500)!;
    expect(sample.activeMs).toBe(80);
    expect(sample.bps).toBe(1_000_000);
    expect(meter.longestPendingMs(T + 500)).toBe(0);
    expect(meter.take(T + 1_000)).toBeNull();
  });

  it('reports the throughput of a transfer still under way, tick by tick', () => {
    const meter = new TransferMeter();
    const slow = transfer(0, 400, 1_000);
    meter.track(slow);
    expect(meter.longestPendingMs(T + 600)).toBe(600);
    expect(meter.take(T + 600)).toBeNull();
    slow.loaded = 3_500;
    expect(meter.take(T + 1_100)).toEqual({ bytes: 2_500, activeMs: 500, bps: 40_000 });
  });

  it('counts a long wait for the first byte as time in which nothing arrived', () => {
    const meter = new TransferMeter();
    meter.track(transfer(0));
    expect(meter.take(T + 3_000)).toEqual({ bytes: 0, activeMs: 1_500, bps: 0 });
  });

  it('waits the allowance a transfer was tracked with before counting its silence', () => {
    const meter = new TransferMeter();
    meter.track(transfer(0), 3_000);
    expect(meter.take(T + 2_500)).toBeNull();
    expect(meter.take(T + 4_000)).toEqual({ bytes: 0, activeMs: 1_000, bps: 0 });
  });

  it('counts concurrent transfers over their shared time once', () => {
    const meter = new TransferMeter();
    meter.track(transfer(0, 100, 50_000, 500));
    meter.track(transfer(0, 300, 50_000, 700));
    const sample = meter.take(T + 1_000)!;
    expect(sample.activeMs).toBe(600);
    expect(sample.bps).toBeCloseTo((100_000 * 8000) / 600);
  });

  it('ignores a few quick bytes, which show latency rather than throughput', () => {
    const meter = new TransferMeter();
    meter.track(transfer(0, 400, 600, 410));
    expect(meter.take(T + 500)).toBeNull();
  });

  it('leaves idle time out: a link that waits for the next segment is not slow', () => {
    const meter = new TransferMeter();
    meter.track(transfer(0, 100, 20_000, 200));
    expect(meter.take(T + 500)!.bps).toBe(1_600_000);
    expect(meter.take(T + 5_000)).toBeNull();
    meter.track(transfer(5_000, 5_100, 20_000, 5_200));
    expect(meter.take(T + 5_500)!.bps).toBe(1_600_000);
  });

  it('starts counting again when a request is retried from zero', () => {
    const meter = new TransferMeter();
    const retried = transfer(0, 100, 10_000);
    meter.track(retried);
    meter.take(T + 500);
    retried.loaded = 4_000;
    expect(meter.take(T + 1_000)!.bytes).toBe(4_000);
  });

  it('forgets an aborted transfer after counting what it got', () => {
    const meter = new TransferMeter();
    const aborted = transfer(0, 100, 5_000);
    meter.track(aborted);
    aborted.aborted = true;
    expect(meter.take(T + 600)!.bytes).toBe(5_000);
    expect(meter.longestPendingMs(T + 600)).toBe(0);
  });
});
