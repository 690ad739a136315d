import type { PublicEvent } from '../../../shared/events';
import { Link } from '../app/Link';
import { useEventList } from '../app/useEventList';
import { useMessages } from '../i18n/language';

/** Upcoming events in the order they will happen; unscheduled ones last. */
function byScheduledTime(a: PublicEvent, b: PublicEvent): number {
  if (a.scheduledAt === b.scheduledAt) return 0;
  if (a.scheduledAt === null) return 1;
  if (b.scheduledAt === null) return -1;
  return Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt);
}

export function HomePage() {
  const t = useMessages();
  const { events, problem, reload } = useEventList();
  const live = events?.filter((event) => event.status === 'live') ?? [];
  const upcoming = events?.filter((event) => event.status === 'scheduled').sort(byScheduledTime) ?? [];

  return (
    <section>
      <h1>{t.homeTitle}</h1>
      {problem !== null && (
        <p className="problem" role="alert">
          {t.homeProblem}{' '}
          <button type="button" onClick={reload}>
            {t.tryAgain}
          </button>
        </p>
      )}
      {events === null && problem === null && <p className="muted">{t.homeLoading}</p>}
      {events !== null && live.length === 0 && upcoming.length === 0 && <p className="muted">{t.homeEmpty}</p>}
      <ul className="event-list">
        {live.map((event) => (
          <li key={event.slug}>
            <span className="badge badge-live">{t.live}</span> <Link to={`/e/${event.slug}`}>{event.title}</Link>
          </li>
        ))}
        {upcoming.map((event) => (
          <li key={event.slug}>
            <Link to={`/e/${event.slug}`}>{event.title}</Link>
            {event.scheduledAt !== null && <span className="muted"> · {t.dateTime(event.scheduledAt)}</span>}
          </li>
        ))}
      </ul>
      <p className="footer-link">
        {t.organizing} <Link to="/studio">{t.openStudio}</Link>
      </p>
    </section>
  );
}
