import { z } from 'zod';

/** Every failure a client can be told about, by what went wrong. */
export const ErrorCode = z.enum([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_STATE',
  'NOT_LIVE',
  'RATE_LIMITED',
  'TOO_LARGE',
  'UNAVAILABLE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The shape of every Socket.io acknowledgement. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
