import type { z } from 'zod';
import type { ErrorCode, ErrorReason } from '../../../shared/errors';
import { ServiceError } from './ServiceError';

/**
 * Why the browser gave no microphone or camera, from the name of getUserMedia's DOMException: each
 * calls for something different from the organizer (allow it, plug one in, close the other app).
 */
export const DEVICE_FAILURES = ['denied', 'missing', 'busy', 'unsuitable', 'insecure', 'other'] as const;
export type DeviceFailure = (typeof DEVICE_FAILURES)[number];

/** What went wrong with publishing on this side: a device that stopped, or the media connection given up. */
export const PUBLISH_FAILURES = ['noMicrophone', 'trackEnded', 'mediaConnection'] as const;
export type PublishFailure = (typeof PUBLISH_FAILURES)[number];

/** The form fields a studio form checks (with the shared schemas) before asking the server; `other` for the rest. */
export const FORM_FIELDS = ['title', 'scheduledAt', 'mirrors', 'priority', 'other'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** A refused or unusable organizer key, told apart because each asks something else of the organizer. */
export const KEY_PROBLEMS = ['malformed', 'notAccepted', 'savedRejected', 'revoked', 'instanceRejected'] as const;
export type KeyProblem = (typeof KEY_PROBLEMS)[number];

/**
 * What went wrong, as a cause rather than a sentence: stores keep it, and the page says it in its own
 * language (client/src/i18n/problemText.ts). Nothing the server or the browser wrote is kept, so an
 * English message can never reach a page in Urdu.
 */
export type Problem =
  /** The server refused or failed (or could not be reached: `UNAVAILABLE`), by its shared code and reason. */
  | { kind: 'service'; code: ErrorCode; reason?: ErrorReason }
  | { kind: 'device'; failure: DeviceFailure }
  | { kind: 'publish'; failure: PublishFailure }
  /** Publishing failed for `cause`, and is tried again by itself. */
  | { kind: 'retrying'; cause: Problem }
  | { kind: 'form'; field: FormField }
  /** A line of the mirrors form that is not `name address`; the line is the organizer's own text. */
  | { kind: 'mirrorLine'; line: string }
  | { kind: 'key'; problem: KeyProblem }
  /** Anything else: said as a generic failure. */
  | { kind: 'unknown' };

const DEVICE_ERRORS: Readonly<Record<string, DeviceFailure>> = {
  NotAllowedError: 'denied',
  SecurityError: 'denied',
  PermissionDeniedError: 'denied',
  NotFoundError: 'missing',
  DevicesNotFoundError: 'missing',
  NotReadableError: 'busy',
  TrackStartError: 'busy',
  AbortError: 'busy',
  OverconstrainedError: 'unsuitable',
  ConstraintNotSatisfiedError: 'unsuitable',
};

/** The cause of anything thrown at the client: a {@link ServiceError} by its code and reason, anything else as unknown. */
export function problemOf(error: unknown): Problem {
  if (!(error instanceof ServiceError)) return { kind: 'unknown' };
  return error.reason === undefined ? { kind: 'service', code: error.code } : { kind: 'service', code: error.code, reason: error.reason };
}

/**
 * Why a microphone or camera could not be opened (or sent): getUserMedia's exception by its name, older
 * browsers' names included (an AbortError elsewhere is no busy device, hence only here), `other` for an
 * exception without a known name, and a server's refusal met on the way (sending the camera) as itself.
 */
export function deviceProblemOf(error: unknown): Problem {
  if (error instanceof ServiceError) return problemOf(error);
  return { kind: 'device', failure: (hasName(error) ? DEVICE_ERRORS[error.name] : undefined) ?? 'other' };
}

/** A form refused by its shared schema, by the first field it named. */
export function formProblemOf(error: z.ZodError): Problem {
  const field = error.issues[0]?.path[0];
  return { kind: 'form', field: FORM_FIELDS.find((known) => known === field) ?? 'other' };
}

/** Older browsers reject getUserMedia with plain objects (an OverconstrainedError that is no Error), named all the same. */
function hasName(error: unknown): error is { name: string } {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string';
}
