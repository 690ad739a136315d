import { PublicEvent } from '../../shared/events';
import type { Logger } from '../logger';

/** Where an edge server reads the events it relays: the origin's public REST API. */
export class OriginEventSource {
  readonly #originUrl: string;
  readonly #logger: Logger;

  constructor(originUrl: string, logger: Logger) {
    this.#originUrl = originUrl;
    this.#logger = logger;
  }

  /** The origin's current view of the event; undefined when it has none or cannot be reached. */
  async fetch(slug: string): Promise<PublicEvent | undefined> {
    try {
      const response = await fetch(`${this.#originUrl}/api/events/${encodeURIComponent(slug)}`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) return undefined;
      const event = PublicEvent.safeParse(await response.json());
      return event.success ? event.data : undefined;
    } catch (error) {
      this.#logger.warn({ err: error, slug }, 'origin unreachable; using the local copy of the event');
      return undefined;
    }
  }
}
