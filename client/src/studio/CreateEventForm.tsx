import { useState, type FormEvent } from 'react';
import { CreateEventRequest, type CreateEventResponse } from '../../../shared/events';
import { createEvent } from '../app/api';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { formProblemOf, problemOf, type Problem } from '../lib/Problem';
import { ServiceError } from '../lib/ServiceError';

interface CreateEventFormProps {
  organizerKey: string;
  onCreated: (created: CreateEventResponse) => void;
  onUnauthorized: () => void;
}

export function CreateEventForm({ organizerKey, onCreated, onUnauthorized }: CreateEventFormProps) {
  const t = useMessages().studio;
  const [title, setTitle] = useState('');
  /** A datetime-local value: the organizer's own time zone, without an offset. */
  const [scheduledLocal, setScheduledLocal] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [creating, setCreating] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const request = CreateEventRequest.safeParse({
      title,
      scheduledAt: scheduledLocal === '' ? null : new Date(scheduledLocal).toISOString(),
    });
    if (!request.success) {
      setProblem(formProblemOf(request.error));
      return;
    }
    setCreating(true);
    setProblem(null);
    try {
      onCreated(await createEvent(organizerKey, request.data));
      setTitle('');
      setScheduledLocal('');
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'UNAUTHORIZED') onUnauthorized();
      else setProblem(problemOf(error));
    } finally {
      setCreating(false);
    }
  };

  return (
    <form className="stacked" onSubmit={(event) => void submit(event)}>
      <h2>{t.newEvent}</h2>
      <label>
        {t.title}
        <input
          data-testid="event-title-input"
          required
          maxLength={200}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
      </label>
      <label>
        {t.startsAtOptional}
        <input
          type="datetime-local"
          value={scheduledLocal}
          onChange={(event) => setScheduledLocal(event.target.value)}
        />
      </label>
      <button data-testid="create-event" type="submit" disabled={creating}>
        {creating ? t.creating : t.createEvent}
      </button>
      <ProblemAlert problem={problem} />
    </form>
  );
}
