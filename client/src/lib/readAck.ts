import { z } from 'zod';
import { ErrorBody } from '../../../shared/errors';
import { ServiceError } from './ServiceError';

const AckEnvelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorBody }),
]);

/**
 * The data of a Socket.io acknowledgement ({@link import('../../../shared/errors').Ack}) checked against
 * its schema; a failure becomes a ServiceError with the server's code and reason.
 */
export function readAck<T>(ack: unknown, schema: z.ZodType<T>, name: string): T {
  const envelope = AckEnvelope.safeParse(ack);
  if (!envelope.success) throw new ServiceError('INTERNAL', `The server sent a malformed "${name}" reply.`);
  if (!envelope.data.ok) throw ServiceError.from(envelope.data.error);
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) throw new ServiceError('INTERNAL', `The server sent a malformed "${name}" reply.`);
  return data.data;
}
