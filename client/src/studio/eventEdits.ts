import type { PublicEvent, UpdateEventRequest } from '../../../shared/events';

/**
 * Whether `incoming` is news about the event shown: an edit's answer and the socket's notice of the same
 * change may arrive in either order, and the older must not overwrite the newer.
 */
export function isNewer(current: PublicEvent | null, incoming: PublicEvent): boolean {
  return current === null || current.slug !== incoming.slug || incoming.revision >= current.revision;
}

/** An ISO time as a datetime-local input shows it: the organizer's own time zone, to the minute. */
export function localInputValue(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The edit the form asks for, on the revision it was filled from. The time is sent only when the
 * organizer changed the field: read back to the minute, an untouched time would otherwise differ from
 * the stored one by its seconds, and a started event refuses any new time.
 */
export function editFromForm(event: PublicEvent, title: string, scheduledLocal: string): UpdateEventRequest {
  const edit: UpdateEventRequest = { title, revision: event.revision };
  if (scheduledLocal !== localInputValue(event.scheduledAt)) {
    edit.scheduledAt = scheduledLocal === '' ? null : new Date(scheduledLocal).toISOString();
  }
  return edit;
}
