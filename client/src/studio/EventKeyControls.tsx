import { useState } from 'react';
import { describeError } from '../lib/ServiceError';
import { KeyWithCopy } from './KeyWithCopy';

interface EventKeyControlsProps {
  /** Each resolves once the server changed the key, and rejects with what went wrong. */
  onRotate: () => Promise<void>;
  onRevoke: () => Promise<void>;
}

/** Replacing or withdrawing the event's own key, e.g. when it reached someone who should not run the event. */
export function EventKeyControls({ onRotate, onRevoke }: EventKeyControlsProps) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const run = async (question: string, change: () => Promise<void>) => {
    if (!window.confirm(question)) return;
    setBusy(true);
    setProblem(null);
    try {
      await change();
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  const rotate = () =>
    run(
      'Make a new event key? The current event key stops working at once, and studio tabs using it elsewhere are disconnected.',
      onRotate,
    );
  const revoke = () =>
    run(
      'Revoke the event key? It stops working at once, and afterwards only the instance organizer key can run this event.',
      onRevoke,
    );

  return (
    <section className="event-key" aria-label="Event key">
      <h2>Event key</h2>
      <div className="controls">
        <button data-testid="rotate-key" type="button" disabled={busy} onClick={() => void rotate()}>
          Rotate key
        </button>
        <button data-testid="revoke-key" type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
          Revoke key
        </button>
      </div>
      {problem !== null && (
        <p className="problem" role="alert" data-testid="key-problem">
          {problem}
        </p>
      )}
    </section>
  );
}

/** The event's new key, shown this once: Jalsa keeps only its fingerprint. */
export function RotatedKeyNotice({ organizerKey }: { organizerKey: string }) {
  return (
    <div className="created" role="status" data-testid="rotated-key">
      <h2>New event key</h2>
      <p>
        <strong>Save this event key now: it is shown only once.</strong> The old event key stopped working: studio
        tabs that used it elsewhere were disconnected and ask for a key again. This tab goes on working.
      </p>
      <KeyWithCopy organizerKey={organizerKey} />
    </div>
  );
}

/** After a revocation, for a tab that keeps running the event with the instance key. */
export function RevokedKeyNotice() {
  return (
    <p className="notice" role="status" data-testid="revoked-key">
      The event key was revoked: only the instance organizer key runs this event now. Rotate the key to give the event
      a key of its own again.
    </p>
  );
}
