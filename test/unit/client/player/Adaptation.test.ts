import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { estimated } from '../../../helpers/judgement';
import { StateStore } from '../../../../client/src/lib/StateStore';
import { Adaptation, type AdaptationOptions, type AdaptivePath } from '../../../../client/src/player/Adaptation';
import type { PlaybackMode } from '../../../../client/src/player/ModeController';
import { Pathways } from '../../../../client/src/player/Pathways';
import { INITIAL_PLAYBACK_STATE, type PlaybackState, type Quality } from '../../../../client/src/player/Playback';

const POSTER_URL = 'http://jalsa.test/poster.jpg';

/** A delivery path that only records what it was asked to do. */
class FakePath implements AdaptivePath {
  readonly modes: PlaybackMode[] = [];
  readonly qualities: Quality[] = [];
  monitored = 0;
  playing: PlaybackMode | null = null;

  applyMode(mode: PlaybackMode): void {
    this.modes.push(mode);
  }

  applyQuality(quality: Quality): void {
    this.qualities.push(quality);
  }

  monitor(): void {
    this.monitored += 1;
  }

  playingMode(): PlaybackMode | null {
    return this.playing;
  }
}

let posterRequests: string[];

beforeEach(() => {
  posterRequests = [];
  vi.stubGlobal('fetch', async (url: string) => {
    posterRequests.push(url);
    return new Response(new Uint8Array(5_000));
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

interface SetUp {
  adaptation: Adaptation;
  path: FakePath;
  store: StateStore<PlaybackState>;
}

function setUp(options: Partial<AdaptationOptions> = {}): SetUp {
  const store = new StateStore<PlaybackState>(INITIAL_PLAYBACK_STATE);
  const path = new FakePath();
  const adaptation = new Adaptation(
    {
      store,
      dataSaver: false,
      quality: 'auto',
      initialMode: 'video',
      monitorIntervalMs: 1_000,
      hasVideo: true,
      learnDuringDataSaver: false,
      posterUrl: POSTER_URL,
      refreshPoster: true,
      pathways: new Pathways(new URL(POSTER_URL).origin),
      ...options,
    },
    path,
  );
  adaptation.start();
  return { adaptation, path, store };
}

/** Lets the poster's fetch (a resolved fake) reach the store. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

function shown(store: StateStore<PlaybackState>): Pick<PlaybackState, 'mode' | 'audioOnlyReason'> {
  const { mode, audioOnlyReason } = store.get();
  return { mode, audioOnlyReason };
}

describe('Adaptation', () => {
  it('starts in the initial mode and sends the path there', () => {
    const { adaptation, path, store } = setUp({ initialMode: 'audio' });
    expect(path.modes).toEqual(['audio']);
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'slow connection' });
    adaptation.close();
  });

  it('publishes the rule that dropped video, for reading a run afterwards', () => {
    const { adaptation, store } = setUp();
    expect(store.get().modeDecision).toBeNull();
    adaptation.observe(1_000, { verdict: 'insufficient', rule: 'emergency', detail: '0.8 s ahead' });
    expect(store.get().modeDecision).toEqual({ count: 1, atMs: 1_000, mode: 'audio', rule: 'emergency', detail: '0.8 s ahead' });
    adaptation.close();
  });

  it('drops video on an insufficient verdict and says the connection is why', () => {
    const { adaptation, path, store } = setUp();
    expect(shown(store)).toEqual({ mode: 'video', audioOnlyReason: null });
    adaptation.observe(performance.now(), estimated('insufficient'));
    expect(adaptation.mode).toBe('audio');
    expect(path.modes).toEqual(['video', 'audio']);
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'slow connection' });
    adaptation.close();
  });

  it('brings video back only after the link has been sufficient for the up hold', () => {
    const { adaptation, path } = setUp({ initialMode: 'audio' });
    // Whole milliseconds: the hold is compared exactly.
    const t = Math.ceil(performance.now());
    adaptation.observe(t, estimated('sufficient'));
    adaptation.observe(t + 11_000, estimated('sufficient'));
    expect(adaptation.mode).toBe('audio');
    adaptation.observe(t + 12_000, estimated('sufficient'));
    expect(adaptation.mode).toBe('video');
    expect(path.modes.at(-1)).toBe('video');
    adaptation.close();
  });

  it('plays audio only while the data saver is on, whatever the link, and returns to the link mode after', () => {
    const { adaptation, path, store } = setUp();
    adaptation.setDataSaver(true);
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'data saver' });
    expect(path.modes.at(-1)).toBe('audio');
    adaptation.setDataSaver(false);
    expect(shown(store)).toEqual({ mode: 'video', audioOnlyReason: null });
    expect(path.modes.at(-1)).toBe('video');
    adaptation.close();
  });

  it('learns nothing about the link while the data saver keeps video off', () => {
    const { adaptation } = setUp({ learnDuringDataSaver: false });
    adaptation.setDataSaver(true);
    adaptation.observe(performance.now(), estimated('insufficient'));
    adaptation.setDataSaver(false);
    expect(adaptation.mode).toBe('video');
    adaptation.close();
  });

  it('keeps learning under the data saver when the path measures the link as well there', () => {
    const { adaptation, store } = setUp({ learnDuringDataSaver: true });
    adaptation.setDataSaver(true);
    adaptation.observe(performance.now(), estimated('insufficient'));
    adaptation.setDataSaver(false);
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'slow connection' });
    adaptation.close();
  });

  it('says "no video" for a source without video, and data saver still comes first', () => {
    const { adaptation, store } = setUp();
    adaptation.setNoVideo();
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'no video' });
    adaptation.observe(performance.now(), estimated('sufficient'));
    expect(adaptation.mode).toBe('audio');
    adaptation.setDataSaver(true);
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'data saver' });
    adaptation.close();
  });

  it('goes back to video when the source has video again (the organizer’s camera turned back on)', () => {
    const { adaptation, store } = setUp();
    adaptation.setNoVideo(true);
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'no video' });
    adaptation.setNoVideo(false);
    expect(adaptation.mode).toBe('video');
    expect(store.get().mode).toBe('video');
    adaptation.close();
  });

  it('fetches the stage picture only in audio only, and publishes it', async () => {
    const { adaptation, store } = setUp();
    await settle();
    expect(posterRequests).toEqual([]);
    adaptation.observe(performance.now(), estimated('insufficient'));
    await settle();
    expect(posterRequests).toHaveLength(1);
    expect(posterRequests[0]!.startsWith(`${POSTER_URL}?t=`)).toBe(true);
    expect(store.get().posterUrl).toMatch(/^blob:/);
    adaptation.close();
  });

  it('shows no stage picture for a recording without video', async () => {
    const { adaptation, store } = setUp({ hasVideo: false });
    await settle();
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'no video' });
    expect(posterRequests).toEqual([]);
    adaptation.close();
  });

  it('publishes what plays while it lags the wanted mode', () => {
    const { adaptation, path, store } = setUp();
    path.playing = 'video';
    adaptation.observe(performance.now(), estimated('insufficient'));
    expect(path.modes.at(-1)).toBe('audio');
    expect(shown(store)).toEqual({ mode: 'video', audioOnlyReason: null });
    path.playing = 'audio';
    adaptation.publishMode();
    expect(shown(store)).toEqual({ mode: 'audio', audioOnlyReason: 'slow connection' });
    adaptation.close();
  });

  it('hands a chosen quality to the path and remembers it', () => {
    const { adaptation, path } = setUp();
    adaptation.setQuality('low');
    expect(path.qualities).toEqual(['low']);
    expect(adaptation.quality).toBe('low');
    adaptation.close();
  });

  it('judges the link from the transfers the meter saw', () => {
    const { adaptation } = setUp();
    const t = performance.now();
    expect(adaptation.assess(160_000, t).verdict).toBeNull();
    // 100 KB in one second: 800 kbps, five times what the lowest video needs.
    adaptation.meter.track({ loaded: 100_000, loading: { start: t, first: t, end: t + 1_000 } });
    adaptation.measure(t + 1_000);
    expect(adaptation.assess(160_000, t + 1_000)).toEqual({
      verdict: 'sufficient',
      rule: 'estimate',
      detail: 'fast 800 kbps, cautious 800 kbps, video needs 160 kbps',
    });
    expect(adaptation.assess(1_000_000, t + 1_000).verdict).toBe('insufficient');
    expect(adaptation.linkQuality(160_000, 40_000)).toBe('good');
    adaptation.close();
  });

  it('does not bring video back on an estimate while a request has gone unanswered for over a second', () => {
    const { adaptation } = setUp();
    const t = performance.now();
    adaptation.meter.track({ loaded: 100_000, loading: { start: t, first: t, end: t + 1_000 } });
    adaptation.measure(t + 1_000);
    // The next segment asked for at 1.5 s: the link fell in between, nothing of it has come.
    adaptation.meter.track({ loaded: 0, loading: { start: t + 1_500, first: 0, end: 0 } });
    expect(adaptation.assess(160_000, t + 2_000).verdict).toBe('sufficient');
    expect(adaptation.assess(160_000, t + 2_600)).toMatchObject({ verdict: 'marginal', detail: expect.stringContaining('a request pending 1.1 s') });
    // Going down needs no such care: a fallen estimate says so whatever is pending.
    expect(adaptation.assess(1_000_000, t + 2_600).verdict).toBe('insufficient');
    adaptation.close();
  });

  it('brings video back only on an estimate a transfer renewed within the time the path allows', () => {
    const { adaptation } = setUp({ estimateFreshForMs: 1_000 });
    // Whole milliseconds, and no assertion on the boundary itself: (t + 2000) - (t + 1000) of a
    // fractional performance.now() can come out a hair over 1000.
    const t = Math.round(performance.now());
    adaptation.meter.track({ loaded: 100_000, loading: { start: t, first: t, end: t + 1_000 } });
    adaptation.measure(t + 1_000);
    expect(adaptation.assess(160_000, t + 1_900).verdict).toBe('sufficient');
    expect(adaptation.assess(160_000, t + 2_500)).toMatchObject({ verdict: null, detail: expect.stringContaining('measured 1.5 s ago') });
    expect(adaptation.assess(1_000_000, t + 2_500).verdict).toBe('insufficient');
    adaptation.close();
  });

  it('runs one monitoring loop at the path interval until closed, and applies nothing after', () => {
    vi.useFakeTimers();
    const { adaptation, path } = setUp({ monitorIntervalMs: 500 });
    adaptation.start();
    vi.advanceTimersByTime(2_000);
    expect(path.monitored).toBe(4);
    adaptation.close();
    adaptation.close();
    vi.advanceTimersByTime(2_000);
    expect(path.monitored).toBe(4);
    const applied = path.modes.length;
    adaptation.setDataSaver(true);
    expect(path.modes).toHaveLength(applied);
  });
});
