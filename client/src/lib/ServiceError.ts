import type { ErrorBody, ErrorCode, ErrorReason } from '../../../shared/errors';

/**
 * A failure reported by the server (or by the way to it), keeping the protocol code so callers can branch on
 * it, and the reason where one code covers failures a caller must tell apart.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly reason?: ErrorReason,
  ) {
    super(message);
  }

  /** The server's error as it sent it. */
  static from({ code, message, reason }: ErrorBody): ServiceError {
    return new ServiceError(code, message, reason);
  }
}
