import { useState } from 'react';
import type { CreateEventResponse } from '../../../shared/events';
import { Link } from '../app/Link';

export function CreatedEventNotice({ created }: { created: CreateEventResponse }) {
  const { event, organizerKey } = created;
  const [copied, setCopied] = useState(false);
  const watchPath = `/e/${event.slug}`;

  const copy = () => {
    navigator.clipboard.writeText(organizerKey).then(
      () => setCopied(true),
      () => undefined,
    );
  };

  return (
    <div className="created" role="status">
      <h2>“{event.title}” is ready</h2>
      <p>
        <strong>Save this event key now: it is shown only once.</strong> Whoever has it can open this event’s studio,
        go live and end the event. Jalsa keeps only a fingerprint of it and cannot show it again.
      </p>
      <p className="key-row">
        <code data-testid="event-key" className="key">
          {organizerKey}
        </code>{' '}
        {/* The clipboard API exists only on secure origins. */}
        {window.isSecureContext && (
          <button type="button" onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        )}
      </p>
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
