import { useCallback, useEffect, useState } from 'react';
import type { PublicEvent } from '../../../shared/events';
import { describeError } from '../lib/ServiceError';
import { listEvents } from './api';

export interface EventList {
  events: PublicEvent[] | null;
  problem: string | null;
  reload: () => void;
}

export function useEventList(): EventList {
  const [events, setEvents] = useState<PublicEvent[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    listEvents().then(
      (loaded) => {
        if (!current) return;
        setEvents(loaded);
        setProblem(null);
      },
      (error: unknown) => {
        if (current) setProblem(describeError(error));
      },
    );
    return () => {
      current = false;
    };
  }, [generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { events, problem, reload };
}
