import { Link } from '../app/Link';
import { useEventList } from '../app/useEventList';
import { useMessages } from '../i18n/language';
import { homeSections } from './homeSections';

export function HomePage() {
  const t = useMessages();
  const { events, problem, reload } = useEventList();
  const { live, upcoming } = homeSections(events ?? [], Date.now());

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
      <ul className="event-list" data-testid="home-events">
        {live.map((event) => (
          <li key={event.slug} data-status="live">
            <span className="badge badge-live">{t.live}</span> <Link to={`/e/${event.slug}`}>{event.title}</Link>
          </li>
        ))}
        {upcoming.map((event) => (
          <li key={event.slug} data-status={event.status}>
            {event.status === 'cancelled' && <span className="badge badge-cancelled">{t.connection.cancelled}</span>}{' '}
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
