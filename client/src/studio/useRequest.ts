import { useCallback, useState } from 'react';
import { problemOf, type Problem } from '../lib/Problem';

export interface StudioRequest {
  /** A request is under way: its controls are disabled meanwhile. */
  busy: boolean;
  /** What went wrong with the last one (or what `refuse` said); null once another starts. */
  problem: Problem | null;
  run(action: () => Promise<void>): Promise<void>;
  /** Shows a problem found before asking the server (a form that does not validate). */
  refuse(problem: Problem): void;
}

/** One studio control's requests to the server: busy while one runs, and what went wrong with it. */
export function useRequest(): StudioRequest {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, run, refuse: setProblem };
}
