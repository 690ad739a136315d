import type { HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoaderResponse, LoaderStats } from 'hls.js';
import { describe, expect, it } from 'vitest';
import { hostFailed, originPathwayMaster, pathwayLoader } from '../../../../client/src/player/pathwayLoader';
import { steeredMaster } from '../../../../server/hls/steeredMaster';
import { steeringManifest } from '../../../../shared/steering';
import { composedLiveMaster } from '../../../helpers/playlists';
import { steeredPathways } from '../../../helpers/pathways';

const ORIGIN = 'https://jalsa.example';
const SEGMENT = `${ORIGIN}/hls/rally-1/runs/1/360p/seg_00003.m4s`;
const MIRRORED = 'https://eu.example/hls/rally-1/runs/1/360p/seg_00003.m4s';
const MASTER = `${ORIGIN}/hls/rally-1/live.m3u8`;
const MIRRORS = [{ id: 'eu-1', baseUrl: 'https://eu.example' }];

const composed = composedLiveMaster;

/** How the stand-in network answers a URL: a status (0: refused), or a timeout before or after the answer began. */
type Answer = { status: number; body?: string } | 'silent' | 'slow';

function freshStats(): LoaderStats {
  return {
    aborted: false,
    loaded: 0,
    retry: 0,
    total: 0,
    chunkCount: 0,
    bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 },
    parsing: { start: 0, end: 0 },
    buffering: { start: 0, first: 0, end: 0 },
  };
}

/** An hls.js loader class over a stand-in network: each load is answered at once, and recorded in `asked`. */
function network(answers: Record<string, Answer>) {
  const asked: string[] = [];
  class StandIn implements Loader<LoaderContext> {
    context: LoaderContext | null = null;
    stats = freshStats();
    destroy(): void {}
    abort(): void {}
    load(context: LoaderContext, _config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      // As hls.js's own loaders: one load each.
      if (this.stats.loading.start) throw new Error('Loader can only be used once.');
      this.stats.loading.start = 1;
      asked.push(context.url);
      const answer = answers[context.url] ?? { status: 0 };
      if (answer === 'silent' || answer === 'slow') {
        this.stats.loading.first = answer === 'slow' ? 2 : 0;
        callbacks.onTimeout(this.stats, context, null);
      } else if (answer.status >= 200 && answer.status < 300) {
        callbacks.onSuccess({ url: context.url, data: answer.body ?? '', code: answer.status }, this.stats, context, null);
      } else {
        callbacks.onError({ code: answer.status, text: '' }, context, null, this.stats);
      }
    }
  }
  return { StandIn, asked };
}

/** What hls.js heard of one load. */
interface Heard {
  outcome: 'success' | 'error' | 'timeout';
  response?: LoaderResponse;
  context: LoaderContext;
  stats: LoaderStats;
}

function load(Loader: ReturnType<typeof pathwayLoader>, url: string, type = 'media-fragment'): { heard: Heard[]; loader: Loader<LoaderContext> } {
  const heard: Heard[] = [];
  const loader = new Loader({} as HlsConfig);
  const context = { url, type, responseType: 'arraybuffer' } as LoaderContext;
  loader.load(context, {} as LoaderConfiguration, {
    onSuccess: (response, stats, ctx) => heard.push({ outcome: 'success', response, context: ctx, stats }),
    onError: (_error, ctx, _details, stats) => heard.push({ outcome: 'error', context: ctx, stats }),
    onTimeout: (stats, ctx) => heard.push({ outcome: 'timeout', context: ctx, stats }),
  });
  return { heard, loader };
}

const steered = (priority: string[], at = 0) => steeredPathways(ORIGIN, MIRRORS, priority, at);

describe('originPathwayMaster', () => {
  it('gives hls.js the origin pathway\'s variants of a steered master, without the steering tag', () => {
    const steeredText = steeredMaster(composed, 'rally-1', { mirrors: MIRRORS, priority: ['eu-1', 'origin'] });
    expect(originPathwayMaster(steeredText).split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=158400,CODECS="avc1.42e01e,mp4a.40.2",RESOLUTION=320x180,PATHWAY-ID="origin"',
      '180p.live.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2",PATHWAY-ID="origin"',
      'audio.live.m3u8',
      '',
    ]);
  });

  it('leaves a master without pathways as it was written', () => {
    expect(originPathwayMaster(composed)).toBe(composed);
  });

  it('drops another pathway\'s variant up to its URI, across blank lines and tags in between', () => {
    const text = ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1,PATHWAY-ID="eu-1"', '', '#EXT-X-GAP', 'https://eu.example/a.m3u8', '#EXT-X-ENDLIST'];
    expect(originPathwayMaster(text.join('\n'))).toBe('#EXTM3U\n#EXT-X-ENDLIST');
  });
});

describe('hostFailed', () => {
  it('blames the host for no answer, a server error, a refusal, or silence until the timeout', () => {
    for (const error of [0, 500, 503, 403, 451]) expect(hostFailed({ error })).toBe(true);
    expect(hostFailed({ timedOutAfterFirstByte: false })).toBe(true);
  });

  it('blames the file for a 404 and the link for a load that began and ran out of time', () => {
    expect(hostFailed({ error: 404 })).toBe(false);
    expect(hostFailed({ timedOutAfterFirstByte: true })).toBe(false);
  });
});

describe('pathwayLoader', () => {
  it('fetches a file where the pathways say, and tells hls.js it came from the origin\'s address', () => {
    const { StandIn, asked } = network({ [MIRRORED]: { status: 200, body: 'segment' } });
    const { heard } = load(pathwayLoader(StandIn, steered(['eu-1', 'origin']), () => 0), SEGMENT);
    expect(asked).toEqual([MIRRORED]);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ outcome: 'success', response: { url: SEGMENT, data: 'segment' }, context: { url: SEGMENT } });
  });

  it('asks the next pathway within the same load when the host refuses, and all of the page\'s players leave the host', () => {
    const { StandIn, asked } = network({ [MIRRORED]: { status: 200, body: 'segment' } });
    const pathways = steered(['origin', 'eu-1']);
    const { heard, loader } = load(pathwayLoader(StandIn, pathways, () => 5), SEGMENT);
    expect(asked).toEqual([SEGMENT, MIRRORED]);
    expect(heard.map((h) => h.outcome)).toEqual(['success']);
    // hls.js holds on to the loader's stats (a fragment's are its loader's): the same object, restarted.
    expect(heard[0]!.stats).toBe(loader.stats);
    expect(pathways.current(6)).toBe('eu-1');
  });

  it('gives a silent host up at the timeout and asks the next pathway', () => {
    const { StandIn, asked } = network({ [SEGMENT]: 'silent', [MIRRORED]: { status: 200 } });
    const { heard } = load(pathwayLoader(StandIn, steered(['origin', 'eu-1']), () => 0), SEGMENT);
    expect(asked).toEqual([SEGMENT, MIRRORED]);
    expect(heard.map((h) => h.outcome)).toEqual(['success']);
  });

  it.each([
    ['a load that began and ran out of time (a slow link, not a blocked host)', 'slow', 'timeout'],
    ['a missing file (404)', { status: 404 }, 'error'],
  ] as const)('leaves %s to hls.js, without leaving its host', (_what, answer, outcome) => {
    const { StandIn, asked } = network({ [SEGMENT]: answer, [MIRRORED]: { status: 200 } });
    const pathways = steered(['origin', 'eu-1']);
    const { heard } = load(pathwayLoader(StandIn, pathways, () => 0), SEGMENT);
    expect(asked).toEqual([SEGMENT]);
    expect(heard.map((h) => h.outcome)).toEqual([outcome]);
    expect(pathways.current(1)).toBe('origin');
  });

  it('tells hls.js of the failure once every pathway failed, each asked once', () => {
    const { StandIn, asked } = network({ [SEGMENT]: { status: 503 }, [MIRRORED]: 'silent' });
    const { heard } = load(pathwayLoader(StandIn, steered(['origin', 'eu-1']), () => 0), SEGMENT);
    expect(asked).toEqual([SEGMENT, MIRRORED]);
    expect(heard.map((h) => h.outcome)).toEqual(['timeout']);
    expect(heard[0]!.context.url).toBe(SEGMENT);
  });

  it('gives hls.js the master with the origin pathway only, however it was fetched', () => {
    const text = steeredMaster(composed, 'rally-1', { mirrors: MIRRORS, priority: ['origin', 'eu-1'] });
    const { StandIn } = network({ [MASTER]: { status: 200, body: text } });
    const { heard } = load(pathwayLoader(StandIn, steered(['origin', 'eu-1']), () => 0), MASTER, 'manifest');
    expect(heard[0]!.response!.data).toBe(originPathwayMaster(text));
    expect(heard[0]!.response!.data).not.toContain('eu.example');
  });

  it('brings the video back to the origin once its penalty ran out and a manifest loaded since puts it first', () => {
    let now = 1_000;
    const answers: Record<string, Answer> = { [MIRRORED]: { status: 200 } };
    const { StandIn, asked } = network(answers);
    const pathways = steered(['origin', 'eu-1']);
    const Loader = pathwayLoader(StandIn, pathways, () => now);
    load(Loader, SEGMENT);
    expect(asked).toEqual([SEGMENT, MIRRORED]);

    // The origin is unblocked; within its penalty (10 s for a first failure) loads stay on the mirror.
    answers[SEGMENT] = { status: 200 };
    asked.length = 0;
    now += 5_000;
    load(Loader, SEGMENT);
    expect(asked).toEqual([MIRRORED]);
    // The penalty ran out, but no manifest has spoken since: still the mirror.
    now += 10_000;
    load(Loader, SEGMENT);
    expect(asked).toEqual([MIRRORED, MIRRORED]);
    // The next manifest still puts the origin first: back.
    pathways.steer(steeringManifest('rally-1', MIRRORS, ['origin', 'eu-1']), now);
    asked.length = 0;
    const { heard } = load(Loader, SEGMENT);
    expect(asked).toEqual([SEGMENT]);
    expect(heard[0]!.outcome).toBe('success');
  });
});
