import { useState } from 'react';
import { whipEndpointPath } from '../../../shared/whip';
import { useMessages } from '../i18n/language';
import { CopyButton } from './CopyButton';
import { loadEventKey, loadInstanceKey } from './organizerKeys';

/**
 * What an organizer types into OBS (Settings → Stream → Service "WHIP") or any WHIP encoder: the event's
 * WHIP URL and, as bearer token, the event's own key. The key stays hidden until asked for, since a studio
 * may be on a shared screen. A studio running on the instance key does not offer that key: it would run
 * every event from an encoder's settings file, and could not be revoked for this event alone.
 */
export function WhipSettings({ slug, organizerKey }: { slug: string; organizerKey: string }) {
  const t = useMessages().studio;
  const [showToken, setShowToken] = useState(false);
  const url = `${window.location.origin}${whipEndpointPath(slug)}`;
  const eventKey = loadEventKey(slug) ?? (organizerKey !== loadInstanceKey() ? organizerKey : null);

  return (
    <section className="whip-settings" aria-labelledby="whip-heading">
      <h3 id="whip-heading">{t.whipHeading}</h3>
      <p>{t.whipHelp}</p>
      <dl>
        <dt>{t.whipUrlLabel}</dt>
        <dd className="key-row">
          <code data-testid="whip-url" dir="ltr">
            {url}
          </code>{' '}
          <CopyButton text={url} />
        </dd>
        <dt>{t.whipTokenLabel}</dt>
        {eventKey === null ? (
          <dd data-testid="whip-token-missing">{t.whipNeedsEventKey}</dd>
        ) : (
          <dd className="key-row">
            <code data-testid="whip-token" className="key" dir="ltr">
              {showToken ? eventKey : '•'.repeat(12)}
            </code>{' '}
            <button type="button" data-testid="whip-token-toggle" aria-pressed={showToken} onClick={() => setShowToken(!showToken)}>
              {showToken ? t.hideToken : t.showToken}
            </button>{' '}
            <CopyButton text={eventKey} />
          </dd>
        )}
      </dl>
      <p>{t.whipTokenHelp}</p>
    </section>
  );
}
