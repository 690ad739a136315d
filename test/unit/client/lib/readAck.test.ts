import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readAck } from '../../../../client/src/lib/readAck';
import { ServiceError } from '../../../../client/src/lib/ServiceError';

function failure(ack: unknown): ServiceError {
  try {
    readAck(ack, z.object({}), 'createTransport');
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('the acknowledgement was accepted');
}

describe('readAck', () => {
  it('keeps the server’s reason, so seats being full is not confused with the server being unavailable', () => {
    const seatsFull = failure({
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'all seats taken', reason: 'seatsFull' },
    });
    expect(seatsFull).toMatchObject({ code: 'UNAVAILABLE', reason: 'seatsFull', message: 'all seats taken' });
    const storeDown = failure({ ok: false, error: { code: 'UNAVAILABLE', message: 'try again' } });
    expect(storeDown.code).toBe('UNAVAILABLE');
    expect(storeDown.reason).toBeUndefined();
  });

  it('treats a reason it does not know as a malformed reply', () => {
    const unknown = failure({ ok: false, error: { code: 'UNAVAILABLE', message: 'x', reason: 'full moon' } });
    expect(unknown.code).toBe('INTERNAL');
  });

  it('returns the data checked against its schema', () => {
    expect(readAck({ ok: true, data: { id: 'a' } }, z.object({ id: z.string() }), 'consume')).toEqual({ id: 'a' });
  });
});
