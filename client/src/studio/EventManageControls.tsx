import { useEffect, useState, type FormEvent } from 'react';
import { UpdateEventRequest, type PublicEvent } from '../../../shared/events';
import { cancelEvent, deleteEvent, updateEvent } from '../app/api';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { formProblemOf } from '../lib/Problem';
import { editFromForm, localInputValue } from './eventEdits';
import { useRequest } from './useRequest';

interface EventManageControlsProps {
  event: PublicEvent;
  organizerKey: string;
  /** The server's answer to an edit or a cancellation. */
  onChanged: (event: PublicEvent) => void;
  onDeleted: () => void;
}

/**
 * The event's title and time, cancelling it before it starts, and deleting it (a live one is ended
 * first). The form is filled from one revision of the event (its basis) and the edit names it: a change
 * made meanwhile elsewhere is then reported, not undone. An untouched form follows the event's changes.
 */
export function EventManageControls({ event, organizerKey, onChanged, onDeleted }: EventManageControlsProps) {
  const t = useMessages().studio;
  const [basis, setBasis] = useState(event);
  const [title, setTitle] = useState(event.title);
  const [scheduledLocal, setScheduledLocal] = useState(() => localInputValue(event.scheduledAt));
  const untouched = title === basis.title && scheduledLocal === localInputValue(basis.scheduledAt);

  useEffect(() => {
    if (event.revision === basis.revision || !untouched) return;
    setBasis(event);
    setTitle(event.title);
    setScheduledLocal(localInputValue(event.scheduledAt));
  }, [event, basis.revision, untouched]);
  const [removeRecording, setRemoveRecording] = useState(false);
  const [saved, setSaved] = useState(false);
  const { busy, problem, run: request, refuse } = useRequest();
  const { slug, status } = event;

  const run = (action: () => Promise<void>) => {
    setSaved(false);
    return request(action);
  };

  const save = (submitted: FormEvent<HTMLFormElement>) => {
    submitted.preventDefault();
    const edit = UpdateEventRequest.safeParse(editFromForm(basis, title, scheduledLocal));
    if (!edit.success) {
      refuse(formProblemOf(edit.error));
      return;
    }
    void run(async () => {
      const changed = await updateEvent(organizerKey, slug, edit.data);
      setBasis(changed);
      onChanged(changed);
      setSaved(true);
    });
  };

  const cancel = () => {
    if (window.confirm(t.confirmCancel)) void run(async () => onChanged(await cancelEvent(organizerKey, slug)));
  };

  const remove = () => {
    if (!window.confirm(t.confirmDelete)) return;
    void run(async () => {
      await deleteEvent(organizerKey, slug, { recordings: removeRecording ? 'remove' : 'keep' });
      onDeleted();
    });
  };

  const cancelled = status === 'cancelled';
  return (
    <section className="event-manage" aria-label={t.manageHeading}>
      <h2>{t.manageHeading}</h2>
      <form className="stacked" onSubmit={save}>
        <label>
          {t.title}
          <input
            data-testid="edit-title"
            required
            maxLength={200}
            disabled={cancelled}
            value={title}
            onChange={(change) => setTitle(change.target.value)}
          />
        </label>
        <label>
          {t.startsAt}
          <input
            data-testid="edit-scheduled-at"
            type="datetime-local"
            disabled={status !== 'scheduled'}
            value={scheduledLocal}
            onChange={(change) => setScheduledLocal(change.target.value)}
          />
        </label>
        <button data-testid="save-event" type="submit" disabled={busy || cancelled}>
          {busy ? t.saving : t.saveChanges}
        </button>
        {saved && (
          <span className="muted" role="status" data-testid="event-saved">
            {t.saved}
          </span>
        )}
      </form>
      <div className="controls">
        {status === 'scheduled' && (
          <button data-testid="cancel-event" type="button" className="danger" disabled={busy} onClick={cancel}>
            {t.cancelEvent}
          </button>
        )}
        {status === 'ended' && (
          <label>
            <input
              data-testid="remove-recording"
              type="checkbox"
              checked={removeRecording}
              onChange={(change) => setRemoveRecording(change.target.checked)}
            />{' '}
            {t.removeRecording}
          </label>
        )}
        <button data-testid="delete-event" type="button" className="danger" disabled={busy || status === 'live'} onClick={remove}>
          {t.deleteEvent}
        </button>
        {status === 'live' && <span className="muted">{t.endBeforeDeleting}</span>}
      </div>
      <ProblemAlert problem={problem} testId="manage-problem" />
    </section>
  );
}
