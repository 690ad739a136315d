import type { HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoaderStats, PlaylistLoaderContext } from 'hls.js';
import { ORIGIN_PATHWAY } from '../../../shared/steering';
import { failsHost, type Located, type Pathways } from './Pathways';

/** An hls.js loader class, as its `loader` setting takes one. */
export type LoaderClass = new (config: HlsConfig) => Loader<LoaderContext>;

const STREAM_INF = '#EXT-X-STREAM-INF:';
const CONTENT_STEERING = '#EXT-X-CONTENT-STEERING:';
const PATHWAY_ID = /[:,]PATHWAY-ID="([^"]*)"/;

/**
 * A steered master (server/hls/steeredMaster.ts) as hls.js is given it: the origin pathway's variants
 * only (and those without a PATHWAY-ID), without the content steering tag. Where each file is fetched
 * from is the page's `Pathways`' call, through the loader; left the other pathways, hls.js would steer
 * between them itself, by its own rules (a failed pathway out for 5 minutes whatever the manifest says).
 */
export function originPathwayMaster(text: string): string {
  const kept: string[] = [];
  // After a variant of another pathway: its lines are dropped up to its URI, the first that is no tag.
  let dropping = false;
  for (const line of text.split('\n')) {
    if (dropping) {
      if (line !== '' && !line.startsWith('#')) dropping = false;
      continue;
    }
    if (line.startsWith(CONTENT_STEERING)) continue;
    const pathway = line.startsWith(STREAM_INF) ? PATHWAY_ID.exec(line)?.[1] : undefined;
    if (pathway !== undefined && pathway !== ORIGIN_PATHWAY) dropping = true;
    else kept.push(line);
  }
  return kept.join('\n');
}

/**
 * Whether a load that ended this way tells of its host rather than of the file or the link: a failed
 * answer of the host's kind (no answer, a server error, a refusal), or a timeout before the answer began
 * (a blackholed host; a load that began and then ran out of time is a slow link's).
 */
export function hostFailed(outcome: { error: number } | { timedOutAfterFirstByte: boolean }): boolean {
  return 'error' in outcome ? failsHost(outcome.error) : !outcome.timedOutAfterFirstByte;
}

/**
 * hls.js's loader (`Inner`, its default) with every request sent where the page's `Pathways` say: the
 * one owner of pathway state for every player of the page, so the video path leaves a failing host and
 * comes back to the origin by the same rules as the audio (Pathways.ts). hls.js knows every file by its
 * address on the origin (answers are reported as from there, and the master it parses lists the origin's
 * pathway only: `originPathwayMaster`); each load is located when it starts, and when its host fails
 * (`hostFailed`) it is sent at once to the next pathway, within the same load, as long as one not tried
 * yet is left — hls.js sees one load that took longer, or, all tried, the last failure. hls.js's own
 * retries make new loads, located afresh.
 */
export function pathwayLoader(Inner: LoaderClass, pathways: Pathways, now: () => number = () => performance.now()): LoaderClass {
  return class PathwayLoader implements Loader<LoaderContext> {
    context: LoaderContext | null = null;
    /** One object for every attempt of the load: hls.js holds on to it (a fragment's stats are its loader's). */
    readonly stats: LoaderStats;
    readonly #config: HlsConfig;
    #attempt: Loader<LoaderContext>;
    /** Pathways this load failed on: none is asked twice (see Pathways.failover). */
    readonly #tried = new Set<string>();

    constructor(config: HlsConfig) {
      this.#config = config;
      this.#attempt = new Inner(config);
      this.stats = this.#attempt.stats;
    }

    load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      this.context = context;
      this.#send(pathways.locate(context.url, now()), context, config, callbacks);
    }

    abort(): void {
      this.#attempt.abort();
    }

    destroy(): void {
      this.#attempt.destroy();
      this.context = null;
    }

    getCacheAge(): number | null {
      return this.#attempt.getCacheAge?.() ?? null;
    }

    getResponseHeader(name: string): string | null {
      return this.#attempt.getResponseHeader?.(name) ?? null;
    }

    #send(located: Located, context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      const { onProgress } = callbacks;
      this.#attempt.load({ ...context, url: located.url }, config, {
        onSuccess: (response, stats, _attempt, details) => {
          pathways.succeeded(located.pathway);
          const { data } = response;
          const master = isMaster(context) && typeof data === 'string';
          // From the origin's address: the relative URIs in it stay the origin's, for the loader to locate.
          callbacks.onSuccess({ ...response, url: context.url, data: master ? originPathwayMaster(data) : data }, stats, context, details);
        },
        onError: (error, _attempt, details, stats) => {
          if (!(hostFailed({ error: error.code }) && this.#failover(located, context, config, callbacks))) {
            callbacks.onError(error, context, details, stats);
          }
        },
        onTimeout: (stats, _attempt, details) => {
          if (!(hostFailed({ timedOutAfterFirstByte: stats.loading.first > 0 }) && this.#failover(located, context, config, callbacks))) {
            callbacks.onTimeout(stats, context, details);
          }
        },
        onAbort: (stats, _attempt, details) => callbacks.onAbort?.(stats, context, details),
        ...(onProgress && { onProgress: (stats, _attempt, data, details) => onProgress(stats, context, data, details) }),
      });
    }

    /** The host of `failed` failed: the load goes to the next pathway (true), if one not tried is left. */
    #failover(failed: Located, context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): boolean {
      const next = pathways.failover(context.url, failed.pathway, this.#tried, now());
      if (!next) return false;
      // A loader loads once: a new one, writing into the same stats, which start again with this request.
      this.#attempt.destroy();
      this.#attempt = new Inner(this.#config);
      this.#attempt.stats = this.stats;
      this.stats.loading.start = 0;
      this.#send(next, context, config, callbacks);
      return true;
    }
  };
}

function isMaster(context: LoaderContext): boolean {
  return (context as Partial<PlaylistLoaderContext>).type === ('manifest' as PlaylistLoaderContext['type']);
}
