import type { CreateEventResponse } from '../../../shared/events';
import { Link } from '../app/Link';
import { KeyWithCopy } from './KeyWithCopy';

export function CreatedEventNotice({ created }: { created: CreateEventResponse }) {
  const { event, organizerKey } = created;
  const watchPath = `/e/${event.slug}`;

  return (
    <div className="created" role="status">
      <h2>“{event.title}” is ready</h2>
      <p>
        <strong>Save this event key now: it is shown only once.</strong> Whoever has it can open this event’s studio,
        go live and end the event. Jalsa keeps only a fingerprint of it and cannot show it again.
      </p>
      <KeyWithCopy organizerKey={organizerKey} />
      <ul>
        <li>
          Studio: <Link to={`/studio/${event.slug}`}>/studio/{event.slug}</Link>
        </li>
        <li>
          Public watch link: <Link to={watchPath}>{`${window.location.origin}${watchPath}`}</Link>
        </li>
      </ul>
    </div>
  );
}
