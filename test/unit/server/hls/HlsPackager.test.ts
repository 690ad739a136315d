import { describe, expect, it } from 'vitest';
import { afterFailure, assessProgress, isDiskFull } from '../../../../server/hls/HlsPackager';

describe('HlsPackager: after a failure', () => {
  it('retries sooner first, then backs off, up to a ceiling', () => {
    expect([0, 1, 2, 3, 4, 10].map((failures) => afterFailure(failures).delayMs)).toEqual([500, 1_000, 2_000, 5_000, 5_000, 5_000]);
  });

  it('tells the organizer recording has failed from the third failure in a row, and keeps retrying', () => {
    expect([0, 1, 2, 3].map((failures) => afterFailure(failures).state)).toEqual(['restarting', 'restarting', 'failed', 'failed']);
  });
});

describe('HlsPackager: a full disk', () => {
  it('is told from ffmpeg\'s last words or from the error starting a run, and from nothing else', () => {
    expect(isDiskFull('[hls @ 0x55] Failed to write segment: No space left on device')).toBe(true);
    expect(isDiskFull("ENOSPC: no space left on device, open '/data/recordings/r/runs/3/run.json'")).toBe(true);
    expect(isDiskFull('Conversion failed!')).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });
});

describe('HlsPackager: stall detection', () => {
  const start = { segments: 4, at: 0 };

  it('takes a new segment as progress', () => {
    expect(assessProgress(start, 5, true, 60_000)).toEqual({ progress: { segments: 5, at: 60_000 }, stalled: false });
  });

  it('waits fifteen seconds without a new segment before calling a run stalled', () => {
    expect(assessProgress(start, 4, true, 15_000)).toEqual({ progress: start, stalled: false });
    expect(assessProgress(start, 4, true, 15_001)).toEqual({ progress: { segments: 4, at: 15_001 }, stalled: true });
  });

  it('starts the stall clock again after a stall, so a hung run is restarted once per period', () => {
    const { progress } = assessProgress(start, 4, true, 15_001);
    expect(assessProgress(progress, 4, true, 20_000).stalled).toBe(false);
    expect(assessProgress(progress, 4, true, 30_002).stalled).toBe(true);
  });

  it('never calls a packager that is not running stalled, and counts from when it runs again', () => {
    const idle = assessProgress(start, 4, false, 60_000);
    expect(idle).toEqual({ progress: { segments: 4, at: 60_000 }, stalled: false });
    expect(assessProgress(idle.progress, 4, true, 70_000).stalled).toBe(false);
  });
});
