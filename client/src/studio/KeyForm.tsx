import { useState, type FormEvent, type ReactNode } from 'react';
import { OrganizerKey } from '../../../shared/events';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { problemOf, type Problem } from '../lib/Problem';

interface KeyFormProps {
  heading: string;
  children: ReactNode;
  /** Resolves true when the server accepts the key. */
  check: (key: string) => Promise<boolean>;
  onAccepted: (key: string) => void;
  initialProblem?: Problem | null;
}

export function KeyForm({ heading, children, check, onAccepted, initialProblem = null }: KeyFormProps) {
  const t = useMessages().studio;
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<Problem | null>(initialProblem);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const key = value.trim();
    if (!OrganizerKey.safeParse(key).success) {
      setProblem({ kind: 'key', problem: 'malformed' });
      return;
    }
    setChecking(true);
    setProblem(null);
    try {
      if (await check(key)) onAccepted(key);
      else setProblem({ kind: 'key', problem: 'notAccepted' });
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setChecking(false);
    }
  };

  return (
    <section>
      <h1>{heading}</h1>
      {children}
      <form className="stacked" onSubmit={(event) => void submit(event)}>
        <label>
          {t.keyLabel}
          <input
            data-testid="organizer-key-input"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
        <button data-testid="organizer-key-save" type="submit" disabled={checking}>
          {checking ? t.checking : t.saveKey}
        </button>
      </form>
      <ProblemAlert problem={problem} />
    </section>
  );
}
