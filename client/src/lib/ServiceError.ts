import type { ErrorCode } from '../../../shared/errors';

/** A failure reported by the server (or by the way to it), keeping the protocol code so callers can branch on it. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
