import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { KeyWithCopy } from './KeyWithCopy';
import { useRequest } from './useRequest';

interface EventKeyControlsProps {
  /** Each resolves once the server changed the key, and rejects with what went wrong. */
  onRotate: () => Promise<void>;
  onRevoke: () => Promise<void>;
}

/** Replacing or withdrawing the event's own key, e.g. when it reached someone who should not run the event. */
export function EventKeyControls({ onRotate, onRevoke }: EventKeyControlsProps) {
  const t = useMessages().studio;
  const { busy, problem, run: request } = useRequest();

  const run = async (question: string, change: () => Promise<void>) => {
    if (window.confirm(question)) await request(change);
  };

  const rotate = () => run(t.confirmRotate, onRotate);
  const revoke = () => run(t.confirmRevoke, onRevoke);

  return (
    <section className="event-key" aria-label={t.keyHeading}>
      <h2>{t.keyHeading}</h2>
      <div className="controls">
        <button data-testid="rotate-key" type="button" disabled={busy} onClick={() => void rotate()}>
          {t.rotateKey}
        </button>
        <button data-testid="revoke-key" type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
          {t.revokeKey}
        </button>
      </div>
      <ProblemAlert problem={problem} testId="key-problem" />
    </section>
  );
}

/** The event's new key, shown this once: Jalsa keeps only its fingerprint. */
export function RotatedKeyNotice({ organizerKey }: { organizerKey: string }) {
  const t = useMessages().studio;
  return (
    <div className="created" role="status" data-testid="rotated-key">
      <h2>{t.newKeyHeading}</h2>
      <p>
        <strong>{t.saveKeyNow}</strong> {t.newKeyExplained}
      </p>
      <KeyWithCopy organizerKey={organizerKey} />
    </div>
  );
}

/** After a revocation, for a tab that keeps running the event with the instance key. */
export function RevokedKeyNotice() {
  const t = useMessages().studio;
  return (
    <p className="notice" role="status" data-testid="revoked-key">
      {t.revokedNotice}
    </p>
  );
}
