import { RECORDINGS_URL_PATH } from '../../../shared/recordingLayout';
import { ORIGIN_PATHWAY, type SteeringManifest } from '../../../shared/steering';

/** A pathway that failed is left for this long, doubled at each failure in a row (up to MAX_PENALTY_MS). */
const PENALTY_MS = 10_000;
const MAX_PENALTY_MS = 300_000;

interface Penalty {
  /** When the last failure was. */
  at: number;
  /** Failures in a row without a success in between. */
  strikes: number;
}

/** Where one request goes: the pathway chosen and the file's address on it. */
export interface Located {
  pathway: string;
  url: string;
}

/**
 * Which pathway (the origin, or one of the event's mirrors) the players fetch the event's HLS files
 * from: pure decisions, the clock given by the caller. Every player of the page asks the same one
 * (the boot audio, the audio pipe, the poster), so a host found blocked by one is left by all.
 *
 * The steering manifest's priority is the organizer's word: the first pathway in it that is not
 * penalized is used. A pathway that failed (no answer, a timeout, a server error) is penalized; it is
 * taken back only once its penalty has run out AND a steering manifest loaded since says it comes
 * first — so a blocked origin is not asked again at every request, and returning is the manifest's call.
 * A penalty doubles with each failure in a row, so a host that stays blocked costs a failed request
 * every few minutes at most. When every pathway is penalized, the one whose penalty ends first is tried.
 */
export class Pathways {
  /** Pathway → base put in front of a recording file's path ('' for the origin itself). */
  #bases = new Map<string, string>([[ORIGIN_PATHWAY, '']]);
  #priority: string[] = [ORIGIN_PATHWAY];
  readonly #penalties = new Map<string, Penalty>();
  #steeredAt = -Infinity;
  readonly #origin: string;

  /** `origin`: the page's own origin, whose `/hls/` addresses are the ones moved between pathways. */
  constructor(origin: string) {
    this.#origin = origin;
  }

  /** More than one pathway to choose from: a request worth giving up sooner, since another may answer. */
  get alternatives(): boolean {
    return this.#priority.length > 1;
  }

  /** Takes a steering manifest's priority and bases (pathways without a known base are left out). */
  steer(manifest: SteeringManifest, now: number): void {
    this.#bases = new Map(Object.entries(manifest['JALSA-PATHWAYS']));
    this.#bases.set(ORIGIN_PATHWAY, '');
    const priority = manifest['PATHWAY-PRIORITY'].filter((id) => this.#bases.has(id));
    this.#priority = priority.length > 0 ? priority : [ORIGIN_PATHWAY];
    this.#steeredAt = now;
  }

  /** The pathway requests go to now. */
  current(now: number): string {
    const usable = this.#priority.find((id) => !this.#avoided(id, now));
    if (usable !== undefined) return usable;
    // All penalized: the one free soonest, rather than none.
    return this.#priority.reduce((best, id) => (this.#penaltyEnd(id) < this.#penaltyEnd(best) ? id : best));
  }

  /**
   * Where `url` (an address on the origin, absolute or relative to it) is fetched from now: a file of
   * an event's recording moves to the current pathway at the same path; anything else stays.
   */
  locate(url: string, now: number): Located {
    const pathway = this.current(now);
    const parsed = new URL(url, this.#origin);
    const base = this.#bases.get(pathway) ?? '';
    if (base === '' || parsed.origin !== this.#origin || !parsed.pathname.startsWith(`${RECORDINGS_URL_PATH}/`)) {
      return { pathway: base === '' ? pathway : ORIGIN_PATHWAY, url: parsed.href };
    }
    return { pathway, url: `${base}${parsed.pathname}${parsed.search}` };
  }

  /** A request on `pathway` failed the pathway's way (not the file's): it is left for a while. */
  failed(pathway: string, now: number): void {
    const strikes = (this.#penalties.get(pathway)?.strikes ?? 0) + 1;
    this.#penalties.set(pathway, { at: now, strikes });
  }

  /**
   * A request for `url` (an address on the origin) on `pathway` failed the host's way: the pathway is
   * penalized and joins `tried`, and the request goes where `url` is located now, unless that is a pathway
   * this request has tried already (null: give up, for the caller to try again later).
   */
  failover(url: string, pathway: string, tried: Set<string>, now: number): Located | null {
    this.failed(pathway, now);
    tried.add(pathway);
    const next = this.locate(url, now);
    return tried.has(next.pathway) ? null : next;
  }

  /** A request on `pathway` was answered: its next failure counts as a first again. */
  succeeded(pathway: string): void {
    this.#penalties.delete(pathway);
  }

  #avoided(id: string, now: number): boolean {
    const penalty = this.#penalties.get(id);
    if (!penalty) return false;
    return now < this.#penaltyEnd(id) || this.#steeredAt < this.#penaltyEnd(id);
  }

  #penaltyEnd(id: string): number {
    const penalty = this.#penalties.get(id);
    if (!penalty) return -Infinity;
    return penalty.at + Math.min(MAX_PENALTY_MS, PENALTY_MS * 2 ** (penalty.strikes - 1));
  }
}

/**
 * An HTTP status (0: no answer at all, refused or cut) that tells of the host rather than of the file:
 * no answer, a server error, a refusal (403, 451). A 404 is the file's: it may not be written yet.
 */
export function failsHost(status: number): boolean {
  return status === 0 || status >= 500 || status === 403 || status === 451;
}
