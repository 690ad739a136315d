import { useState } from 'react';
import type { CreateEventResponse } from '../../../shared/events';
import { isOrganizerKeyAccepted } from '../app/api';
import { formatDateTime } from '../app/formatDateTime';
import { Link } from '../app/Link';
import { useEventList } from '../app/useEventList';
import { CreateEventForm } from './CreateEventForm';
import { CreatedEventNotice } from './CreatedEventNotice';
import { KeyForm } from './KeyForm';
import { loadInstanceKey, saveInstanceKey } from './organizerKeys';

interface StudioProps {
  organizerKey: string;
  onForgetKey: () => void;
  onKeyRejected: () => void;
}

function Studio({ organizerKey, onForgetKey, onKeyRejected }: StudioProps) {
  const { events, problem, reload } = useEventList();
  const [created, setCreated] = useState<CreateEventResponse | null>(null);

  return (
    <section>
      <h1>Studio</h1>
      <CreateEventForm
        organizerKey={organizerKey}
        onCreated={(response) => {
          setCreated(response);
          reload();
        }}
        onUnauthorized={onKeyRejected}
      />
      {created !== null && <CreatedEventNotice created={created} />}
      <h2>Events</h2>
      {problem !== null && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {events?.length === 0 && <p className="muted">No events yet.</p>}
      <ul className="event-list">
        {events?.map((event) => (
          <li key={event.slug}>
            <span className={`badge badge-${event.status}`}>{event.status}</span>{' '}
            <Link to={`/studio/${event.slug}`}>{event.title}</Link>
            {event.scheduledAt !== null && <span className="muted"> · {formatDateTime(event.scheduledAt)}</span>}{' '}
            <Link to={`/e/${event.slug}`} className="secondary-link">
              watch page
            </Link>
          </li>
        ))}
      </ul>
      <p className="footer-link">
        <button type="button" className="link-button" onClick={onForgetKey}>
          Forget the organizer key on this device
        </button>
      </p>
    </section>
  );
}

export function StudioPage() {
  const [organizerKey, setOrganizerKey] = useState(loadInstanceKey);
  const [rejected, setRejected] = useState(false);

  if (organizerKey === null) {
    return (
      <KeyForm
        heading="Organizer studio"
        check={(key) => isOrganizerKeyAccepted(key)}
        onAccepted={(key) => {
          saveInstanceKey(key);
          setOrganizerKey(key);
        }}
        initialProblem={rejected ? 'The saved organizer key is no longer accepted.' : null}
      >
        <p>Paste this Jalsa instance’s organizer key. It is remembered on this device only.</p>
      </KeyForm>
    );
  }
  const forgetKey = (becauseRejected: boolean) => {
    saveInstanceKey(null);
    setRejected(becauseRejected);
    setOrganizerKey(null);
  };
  return (
    <Studio organizerKey={organizerKey} onForgetKey={() => forgetKey(false)} onKeyRejected={() => forgetKey(true)} />
  );
}
