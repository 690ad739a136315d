import type { PublicEvent } from '../../../shared/events';
import type { Problem } from '../lib/Problem';
import { useClosable } from '../lib/useClosable';
import { StateStore, useStateStore } from '../lib/StateStore';
import { EventListFeed, type EventListState } from './EventListFeed';

export interface EventList {
  events: PublicEvent[] | null;
  problem: Problem | null;
  reload: () => void;
}

/** Before the feed is made (the first render): nothing loaded yet. */
const NOT_YET = new StateStore<EventListState>({ events: null, problem: null });

/** The events, kept current while the page is visible (see {@link EventListFeed}). */
export function useEventList(): EventList {
  const feed = useClosable(() => new EventListFeed());
  const { events, problem } = useStateStore(feed?.store ?? NOT_YET);
  return { events, problem, reload: () => feed?.reload() };
}
