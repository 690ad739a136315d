import type { Problem } from '../lib/Problem';
import { useMessages } from './language';
import { problemText } from './problemText';

/** What went wrong, said in the page's language as an alert; nothing while nothing did. */
export function ProblemAlert({ problem, testId }: { problem: Problem | null; testId?: string }) {
  const t = useMessages();
  if (problem === null) return null;
  return (
    <p className="problem" role="alert" data-testid={testId}>
      {problemText(t, problem)}
    </p>
  );
}
