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

/**
 * What a client may need to tell apart under one code: `UNAVAILABLE` means no WebRTC seat is left
 * (watch over HLS), the server receiving as many uploads as it takes at once (upload again in a
 * while), the server taking no newcomer this moment (`serverBusy`: join again after a jittered wait)
 * as well as a store being down (try again).
 */
export const ErrorReason = z.enum(['seatsFull', 'uploadsBusy', 'serverBusy']);
export type ErrorReason = z.infer<typeof ErrorReason>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  reason: ErrorReason.optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The shape of every Socket.io acknowledgement. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
