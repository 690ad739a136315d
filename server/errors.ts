import type { ErrorBody, ErrorCode, ErrorReason } from '../shared/errors';

/**
 * An error whose message is safe to show the client that caused it. It is an answer, not a fault: it
 * carries no stack trace, because capturing one was among the largest costs of refusing a flood (a
 * profile of `npm run bench:abuse` behind the proxy: 8.5 s of 115 s busy, for some 2,000 refusals a
 * second, second only to writing the answers) and nothing reads it.
 */
export class JalsaError extends Error {
  readonly code: ErrorCode;
  readonly reason: ErrorReason | undefined;

  constructor(code: ErrorCode, message: string, reason?: ErrorReason) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.reason = reason;
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    return this.reason === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, reason: this.reason };
  }
}

export class BadRequestError extends JalsaError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

export class UnauthorizedError extends JalsaError {
  constructor(message = 'a valid organizer key is required') {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends JalsaError {
  constructor(message = 'only the organizer may do this') {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends JalsaError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class InvalidStateError extends JalsaError {
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}

export class NotLiveError extends JalsaError {
  constructor() {
    super('NOT_LIVE', 'the event is not live');
  }
}

export class TooLargeError extends JalsaError {
  constructor(message: string) {
    super('TOO_LARGE', message);
  }
}

export class UnavailableError extends JalsaError {
  constructor(message: string, reason?: ErrorReason) {
    super('UNAVAILABLE', message, reason);
  }
}

export class RateLimitedError extends JalsaError {
  constructor(message: string) {
    super('RATE_LIMITED', message);
  }
}

/** Turns anything thrown into a body for the client, hiding internal details. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof JalsaError) return error.toBody();
  return { code: 'INTERNAL', message: 'internal error' };
}
