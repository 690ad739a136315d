import type { CreateEventResponse } from '../../../shared/events';
import { Link } from '../app/Link';
import { useMessages } from '../i18n/language';
import { KeyWithCopy } from './KeyWithCopy';

export function CreatedEventNotice({ created }: { created: CreateEventResponse }) {
  const t = useMessages().studio;
  const { event, organizerKey } = created;
  const watchPath = `/e/${event.slug}`;

  return (
    <div className="created" role="status">
      <h2>{t.eventReady(event.title)}</h2>
      <p>
        <strong>{t.saveKeyNow}</strong> {t.eventKeyExplained}
      </p>
      <KeyWithCopy organizerKey={organizerKey} />
      <ul>
        <li>
          {t.studioLink} <Link to={`/studio/${event.slug}`}>/studio/{event.slug}</Link>
        </li>
        <li>
          {t.publicWatchLink} <Link to={watchPath}>{`${window.location.origin}${watchPath}`}</Link>
        </li>
      </ul>
    </div>
  );
}
