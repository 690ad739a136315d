import { CopyButton } from './CopyButton';

/** A key shown once, for the organizer to copy or write down (or another secret to paste elsewhere, e.g. into OBS). */
export function KeyWithCopy({ organizerKey, testId = 'event-key' }: { organizerKey: string; testId?: string }) {
  return (
    <p className="key-row">
      <code data-testid={testId} className="key">
        {organizerKey}
      </code>{' '}
      <CopyButton text={organizerKey} />
    </p>
  );
}
