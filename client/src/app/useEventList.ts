import { useCallback, useEffect, useRef, useState } from 'react';
import type { PublicEvent } from '../../../shared/events';
import { describeError } from '../lib/ServiceError';
import { listEvents } from './api';

/**
 * How often an open page asks whether an event went live, started or was cancelled. Polling rather than
 * a socket: an unchanged list costs a 304 of a few hundred bytes that any HTTP cache or proxy handles,
 * while a socket per visitor of the home page would hold server memory for thousands who only glance
 * at it; 15 s is soon enough for "it is live now" and a cheap request on 2G.
 */
export const EVENT_LIST_POLL_MS = 15_000;

export interface EventList {
  events: PublicEvent[] | null;
  problem: string | null;
  reload: () => void;
}

/** The events, kept current while the page is visible (see {@link EVENT_LIST_POLL_MS}). */
export function useEventList(): EventList {
  const [events, setEvents] = useState<PublicEvent[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const etag = useRef<string | undefined>(undefined);

  useEffect(() => {
    let current = true;
    const load = () => {
      listEvents(etag.current).then(
        (loaded) => {
          if (!current) return;
          setProblem(null);
          if (loaded === null) return;
          etag.current = loaded.etag;
          setEvents(loaded.events);
        },
        (error: unknown) => {
          if (current) setProblem(describeError(error));
        },
      );
    };
    load();
    // A hidden tab asks nothing; shown again, it asks at once rather than showing what it last knew.
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') load();
    }, EVENT_LIST_POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      current = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [generation]);

  const reload = useCallback(() => {
    etag.current = undefined;
    setGeneration((value) => value + 1);
  }, []);
  return { events, problem, reload };
}
