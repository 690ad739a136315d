import type { PublicEvent, UpdateEventRequest } from '../../shared/events';
import { InvalidStateError } from '../errors';

/** What an organizer's edit does to an event: nothing (it asks for what is already so) or these details. */
export type EditOutcome = { changed: false } | { changed: true; title: string; scheduledAt: string | null };

/**
 * Decides an edit. Asking for what already is succeeds whatever the revision, so a repeated request
 * is harmless; a real change must be made on the revision the organizer saw, so a late or stale
 * request never undoes a newer one. The time is moved only before the event starts: afterwards it
 * no longer says anything to attendees. The title may be corrected in any state but cancelled.
 */
export function decideEdit(event: PublicEvent, edit: UpdateEventRequest): EditOutcome {
  const title = edit.title ?? event.title;
  const scheduledAt = edit.scheduledAt === undefined ? event.scheduledAt : normalizeTime(edit.scheduledAt);
  if (title === event.title && scheduledAt === event.scheduledAt) return { changed: false };
  if (event.status === 'cancelled') throw new InvalidStateError('the event was cancelled');
  if (scheduledAt !== event.scheduledAt && event.status !== 'scheduled') {
    throw new InvalidStateError('only an event that has not started can be rescheduled');
  }
  if (edit.revision !== undefined && edit.revision !== event.revision) throw changedMeanwhile();
  return { changed: true, title, scheduledAt };
}

/** A change decided on a state of the event that is no longer its state. */
export function changedMeanwhile(): InvalidStateError {
  return new InvalidStateError('the event was changed meanwhile: reload it and try again');
}

/** Whether cancelling changes anything; refused once the event went live (a live event is ended instead). */
export function decideCancel(event: PublicEvent): boolean {
  if (event.status === 'cancelled') return false;
  if (event.status !== 'scheduled') throw new InvalidStateError(`the event is ${event.status}: only one that has not started can be cancelled`);
  return true;
}

/**
 * A live event is not deleted: its organizer ends it first, so that attendees are told it ended, the
 * recording is finished and nothing is torn from under a broadcast by a click in another tab.
 */
export function assertDeletable(event: PublicEvent): void {
  if (event.status === 'live') throw new InvalidStateError('the event is live: end it before deleting it');
}

/** Times are kept as UTC ISO strings, so that the same moment written two ways is the same time. */
export function normalizeTime(time: string | null | undefined): string | null {
  return time ? new Date(time).toISOString() : null;
}
