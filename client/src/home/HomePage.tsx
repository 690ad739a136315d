import type { PublicEvent } from '../../../shared/events';
import { Link } from '../app/Link';
import { formatDateTime } from '../app/formatDateTime';
import { useEventList } from '../app/useEventList';

/** Upcoming events in the order they will happen; unscheduled ones last. */
function byScheduledTime(a: PublicEvent, b: PublicEvent): number {
  if (a.scheduledAt === b.scheduledAt) return 0;
  if (a.scheduledAt === null) return 1;
  if (b.scheduledAt === null) return -1;
  return Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt);
}

export function HomePage() {
  const { events, problem, reload } = useEventList();
  const live = events?.filter((event) => event.status === 'live') ?? [];
  const upcoming = events?.filter((event) => event.status === 'scheduled').sort(byScheduledTime) ?? [];

  return (
    <section>
      <h1>Live and upcoming events</h1>
      {problem !== null && (
        <p className="problem" role="alert">
          {problem}{' '}
          <button type="button" onClick={reload}>
            Try again
          </button>
        </p>
      )}
      {events === null && problem === null && <p className="muted">Loading events…</p>}
      {events !== null && live.length === 0 && upcoming.length === 0 && (
        <p className="muted">Nothing is live or scheduled right now.</p>
      )}
      <ul className="event-list">
        {live.map((event) => (
          <li key={event.slug}>
            <span className="badge badge-live">Live</span> <Link to={`/e/${event.slug}`}>{event.title}</Link>
          </li>
        ))}
        {upcoming.map((event) => (
          <li key={event.slug}>
            <Link to={`/e/${event.slug}`}>{event.title}</Link>
            {event.scheduledAt !== null && <span className="muted"> · {formatDateTime(event.scheduledAt)}</span>}
          </li>
        ))}
      </ul>
      <p className="footer-link">
        Organizing? <Link to="/studio">Open the studio</Link>
      </p>
    </section>
  );
}
