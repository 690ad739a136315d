import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../../shared/errors';
import { NotFoundError, toErrorBody, UnavailableError } from '../../../server/errors';

describe('toErrorBody', () => {
  it('tells the client why when one code covers failures it must tell apart', () => {
    const body = toErrorBody(new UnavailableError('all WebRTC seats are taken', 'seatsFull'));
    expect(body).toEqual({ code: 'UNAVAILABLE', message: 'all WebRTC seats are taken', reason: 'seatsFull' });
    expect(ErrorBody.parse(body)).toEqual(body);
  });

  it('sends only the code and message when there is no reason', () => {
    expect(toErrorBody(new UnavailableError('the chat store is unreachable'))).toStrictEqual({
      code: 'UNAVAILABLE',
      message: 'the chat store is unreachable',
    });
    expect(toErrorBody(new NotFoundError('event'))).toStrictEqual({ code: 'NOT_FOUND', message: 'event not found' });
  });

  it('hides what went wrong inside the server', () => {
    expect(toErrorBody(new Error('ECONNREFUSED 10.0.0.7:6379'))).toStrictEqual({
      code: 'INTERNAL',
      message: 'internal error',
    });
  });
});

describe('JalsaError', () => {
  it('is an answer, not a fault: it captures no stack trace and leaves other errors theirs', () => {
    const refusal = new UnavailableError('the server is busy; try again in 2 s', 'serverBusy');
    expect(refusal.stack).toBe('UnavailableError: the server is busy; try again in 2 s');
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal).toMatchObject({ name: 'UnavailableError', code: 'UNAVAILABLE', reason: 'serverBusy' });
    expect(new Error('a fault').stack).toMatch(/\n\s+at /);
  });
});
