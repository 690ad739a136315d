import { describe, expect, it } from 'vitest';
import { CreateEventRequest } from '../../../../shared/events';
import { MirrorSettings } from '../../../../shared/mirrors';
import { deviceProblemOf, formProblemOf, problemOf } from '../../../../client/src/lib/Problem';
import { ServiceError } from '../../../../client/src/lib/ServiceError';

describe('problemOf', () => {
  it('keeps a server failure’s code and reason, not its English message', () => {
    expect(problemOf(new ServiceError('UNAVAILABLE', 'no upload slot', 'uploadsBusy'))).toEqual({
      kind: 'service',
      code: 'UNAVAILABLE',
      reason: 'uploadsBusy',
    });
    expect(problemOf(new ServiceError('FORBIDDEN', 'only the organizer may do this'))).toEqual({ kind: 'service', code: 'FORBIDDEN' });
  });

  it('calls anything else unknown, the browser’s exceptions included', () => {
    expect(problemOf(new Error('boom'))).toEqual({ kind: 'unknown' });
    expect(problemOf('a string')).toEqual({ kind: 'unknown' });
    expect(problemOf(new DOMException('aborted', 'AbortError'))).toEqual({ kind: 'unknown' });
  });
});

describe('deviceProblemOf', () => {
  it('tells getUserMedia’s refusals apart by the exception’s name', () => {
    const refused = (name: string) => deviceProblemOf(new DOMException('browser text', name));
    expect(refused('NotAllowedError')).toEqual({ kind: 'device', failure: 'denied' });
    expect(refused('NotFoundError')).toEqual({ kind: 'device', failure: 'missing' });
    expect(refused('NotReadableError')).toEqual({ kind: 'device', failure: 'busy' });
    expect(refused('OverconstrainedError')).toEqual({ kind: 'device', failure: 'unsuitable' });
    // Older browsers reject with a plain object carrying the name.
    expect(deviceProblemOf({ name: 'PermissionDeniedError' })).toEqual({ kind: 'device', failure: 'denied' });
  });

  it('says a getUserMedia failure without a known name is the device’s, and keeps a server failure met on the way', () => {
    expect(deviceProblemOf(new TypeError('bad constraints'))).toEqual({ kind: 'device', failure: 'other' });
    expect(deviceProblemOf(new ServiceError('NOT_LIVE', 'the event is not live'))).toEqual({ kind: 'service', code: 'NOT_LIVE' });
  });
});

describe('formProblemOf', () => {
  it('names the first field the shared schema refused', () => {
    const blankTitle = CreateEventRequest.safeParse({ title: '   ' });
    expect(blankTitle.success || formProblemOf(blankTitle.error)).toEqual({ kind: 'form', field: 'title' });
    const badTime = CreateEventRequest.safeParse({ title: 'A talk', scheduledAt: 'tomorrow' });
    expect(badTime.success || formProblemOf(badTime.error)).toEqual({ kind: 'form', field: 'scheduledAt' });
    const badOrder = MirrorSettings.safeParse({ mirrors: [], priority: [] });
    expect(badOrder.success || formProblemOf(badOrder.error)).toEqual({ kind: 'form', field: 'priority' });
  });
});
