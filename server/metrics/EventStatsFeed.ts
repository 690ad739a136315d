import type { EventStats } from '../../shared/signalling';
import type { Logger } from '../logger';
import type { EventAudience } from './EventAudience';
import type { EventStatsCollector } from './EventStatsCollector';

export const EVENT_STATS_INTERVAL_MS = 2_000;

/** Sends each event's live figures to its organizers connected here, every couple of seconds. */
export class EventStatsFeed {
  readonly #timer: NodeJS.Timeout;
  #sending = false;

  constructor(
    audience: EventAudience,
    collector: EventStatsCollector,
    send: (slug: string, stats: EventStats) => void,
    logger: Logger,
  ) {
    this.#timer = setInterval(() => {
      // Stats come from the mediasoup workers; a busy worker must not pile up rounds.
      if (this.#sending) return;
      this.#sending = true;
      const slugs = [...audience.organizedEvents()];
      Promise.all(slugs.map(async (slug) => send(slug, await collector.stats(slug))))
        .catch((error: unknown) => logger.warn({ err: error }, 'gathering event stats failed'))
        .finally(() => {
          this.#sending = false;
        });
    }, EVENT_STATS_INTERVAL_MS);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
