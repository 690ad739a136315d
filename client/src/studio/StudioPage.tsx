import { useState } from 'react';
import type { CreateEventResponse, PublicEvent } from '../../../shared/events';
import { isOrganizerKeyAccepted } from '../app/api';
import { Link } from '../app/Link';
import { useEventList } from '../app/useEventList';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { CreateEventForm } from './CreateEventForm';
import { CreatedEventNotice } from './CreatedEventNotice';
import { KeyForm } from './KeyForm';
import { heldEventSlugs, loadInstanceKey, saveInstanceKey } from './organizerKeys';

/** Events with their status, each a link to its studio; polled like the home page, so a status changes by itself. */
function StudioEventList({ events }: { events: PublicEvent[] }) {
  const t = useMessages().studio;
  const { dateTime } = useMessages();
  return (
    <ul className="event-list" data-testid="studio-events">
      {events.map((event) => (
        <li key={event.slug} data-slug={event.slug} data-status={event.status}>
          <span className={`badge badge-${event.status}`} data-testid="studio-event-status">
            {t.status[event.status]}
          </span>{' '}
          <Link to={`/studio/${event.slug}`}>{event.title}</Link>
          {event.scheduledAt !== null && <span className="muted"> · {dateTime(event.scheduledAt)}</span>}{' '}
          <Link to={`/e/${event.slug}`} className="secondary-link">
            {t.watchPage}
          </Link>
        </li>
      ))}
    </ul>
  );
}

interface StudioProps {
  organizerKey: string;
  onForgetKey: () => void;
  onKeyRejected: () => void;
}

function Studio({ organizerKey, onForgetKey, onKeyRejected }: StudioProps) {
  const t = useMessages().studio;
  const { events, problem, reload } = useEventList();
  const [created, setCreated] = useState<CreateEventResponse | null>(null);

  return (
    <section>
      <h1>{t.studioTitle}</h1>
      <CreateEventForm
        organizerKey={organizerKey}
        onCreated={(response) => {
          setCreated(response);
          reload();
        }}
        onUnauthorized={onKeyRejected}
      />
      {created !== null && <CreatedEventNotice created={created} />}
      <h2>{t.eventsHeading}</h2>
      <ProblemAlert problem={problem} />
      {events?.length === 0 && <p className="muted">{t.noEvents}</p>}
      {events !== null && <StudioEventList events={events} />}
      <p className="footer-link">
        <button type="button" className="link-button" onClick={onForgetKey}>
          {t.forgetKey}
        </button>
      </p>
    </section>
  );
}

/** Without the instance key: the events whose own keys this device holds, so their organizers find them again. */
function HeldEvents() {
  const t = useMessages().studio;
  const { events } = useEventList();
  const [held] = useState(heldEventSlugs);
  const mine = events?.filter((event) => held.has(event.slug)) ?? [];
  if (mine.length === 0) return null;
  return (
    <section>
      <h2>{t.heldEventsHeading}</h2>
      <p className="muted">{t.heldEventsHelp}</p>
      <StudioEventList events={mine} />
    </section>
  );
}

export function StudioPage() {
  const t = useMessages().studio;
  const [organizerKey, setOrganizerKey] = useState(loadInstanceKey);
  const [rejected, setRejected] = useState(false);

  if (organizerKey === null) {
    return (
      <>
        <KeyForm
          heading={t.instanceKeyHeading}
          check={(key) => isOrganizerKeyAccepted(key)}
          onAccepted={(key) => {
            saveInstanceKey(key);
            setOrganizerKey(key);
          }}
          initialProblem={rejected ? { kind: 'key', problem: 'instanceRejected' } : null}
        >
          <p>{t.instanceKeyHelp}</p>
        </KeyForm>
        <HeldEvents />
      </>
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
