import { useState } from 'react';
import { useMessages } from '../i18n/language';

/** A key shown once, for the organizer to copy or write down (or another secret to paste elsewhere, e.g. into OBS). */
export function KeyWithCopy({ organizerKey, testId = 'event-key' }: { organizerKey: string; testId?: string }) {
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
      <code data-testid={testId} className="key">
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
