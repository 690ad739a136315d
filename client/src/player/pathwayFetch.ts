import { readSteeringManifest, STEERING_TTL_SECONDS, steeringPath } from '../../../shared/steering';
import { fetchMetered, HttpStatusError, type MeteredResponse } from './fetchMetered';
import { failsHost, Pathways } from './Pathways';
import type { TransferMeter } from './TransferMeter';

/**
 * With another pathway to go to, a request that brings no byte for this long is given up on its host:
 * a blocked host often answers nothing rather than refusing, and the audio buffer of a live listener
 * holds a few segments. Alone, a slow link is given the usual patience.
 */
const FAILOVER_STALL_MS = 5_000;
/** A steering manifest that has not come in this long is tried again at the next reload. */
const STEERING_TIMEOUT_MS = 5_000;

/**
 * Fetches an event's file from the pathway chosen now, and on a failure that is the host's (no answer,
 * a stall, a server error or refusal) from the next one at once, as long as there is one not tried yet.
 * A missing file (404) is the file's, not the host's: the caller's own retries handle it.
 */
export async function fetchOnPathways(
  pathways: Pathways,
  url: string,
  meter: TransferMeter,
  options: { signal?: AbortSignal; headers?: HeadersInit } = {},
): Promise<MeteredResponse> {
  const tried = new Set<string>();
  let located = pathways.locate(url, performance.now());
  for (;;) {
    try {
      const response = await fetchMetered(located.url, meter, { ...options, stallMs: pathways.alternatives ? FAILOVER_STALL_MS : undefined });
      pathways.succeeded(located.pathway);
      return response;
    } catch (error) {
      if (options.signal?.aborted || !isHostFailure(error)) throw error;
      const next = pathways.failover(url, located.pathway, tried, performance.now());
      if (!next) throw error;
      located = next;
    }
  }
}

function isHostFailure(error: unknown): boolean {
  if (error instanceof HttpStatusError) return failsHost(error.status);
  // A network error (TypeError) or our stall watchdog (AbortError, the caller's signal not aborted).
  return error instanceof TypeError || (error instanceof DOMException && error.name === 'AbortError');
}

/**
 * Reloads the event's steering manifest from the origin every TTL and gives it to `pathways`. A reload
 * that fails keeps the last word (the origin's API may be the host that is blocked) and tries again.
 */
class SteeringFollower {
  readonly slug: string;
  readonly pathways = new Pathways(location.origin);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(slug: string) {
    this.slug = slug;
    void this.#load(steeringPath(slug));
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #load(url: string): Promise<void> {
    let next = url;
    let ttl = STEERING_TTL_SECONDS;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(STEERING_TIMEOUT_MS) });
      const manifest = response.ok ? readSteeringManifest(await response.json()) : null;
      if (manifest && !this.#closed) {
        this.pathways.steer(manifest, performance.now());
        ttl = manifest.TTL;
        // Same origin only: a manifest must not send our reloads elsewhere.
        const reload = manifest['RELOAD-URI'] && new URL(manifest['RELOAD-URI'], location.href);
        if (reload && reload.origin === location.origin) next = reload.href;
      }
    } catch {
      // Not reachable now: the pathways stay as last steered.
    }
    if (!this.#closed) this.#timer = setTimeout(() => void this.#load(next), ttl * 1000);
  }
}

let current: SteeringFollower | null = null;

/**
 * The pathways of the event this page plays, steered by its manifest: one per page, asked by every
 * player of it (boot audio, audio pipe, poster), so what one of them learns of a host all of them use.
 */
export function eventPathways(slug: string): Pathways {
  if (current?.slug !== slug) {
    current?.close();
    current = new SteeringFollower(slug);
  }
  return current.pathways;
}
