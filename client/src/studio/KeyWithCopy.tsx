import { useState } from 'react';
import { useMessages } from '../i18n/language';

/** A key shown once, for the organizer to copy or write down. */
export function KeyWithCopy({ organizerKey }: { organizerKey: string }) {
  const t = useMessages().studio;
  const [copied, setCopied] = useState(false);

  const copy = () => {
    navigator.clipboard.writeText(organizerKey).then(
      () => setCopied(true),
      () => undefined,
    );
  };

  return (
    <p className="key-row">
      <code data-testid="event-key" className="key">
        {organizerKey}
      </code>{' '}
      {/* The clipboard API exists only on secure origins. */}
      {window.isSecureContext && (
        <button type="button" onClick={copy}>
          {copied ? t.copied : t.copy}
        </button>
      )}
    </p>
  );
}
