import { describe, expect, it } from 'vitest';
import { ErrorCode, ErrorReason } from '../../../../shared/errors';
import { en, ur, type Messages } from '../../../../client/src/i18n/messages';
import { problemText } from '../../../../client/src/i18n/problemText';
import {
  DEVICE_FAILURES,
  FORM_FIELDS,
  KEY_PROBLEMS,
  deviceProblemOf,
  PUBLISH_FAILURES,
  problemOf,
  type Problem,
} from '../../../../client/src/lib/Problem';
import { ServiceError } from '../../../../client/src/lib/ServiceError';

const LANGUAGES: Array<[string, Messages]> = [
  ['English', en],
  ['Urdu', ur],
];
/** Urdu is written in the Arabic script: a message without any of it was left in English. */
const ARABIC_SCRIPT = /[\u0600-\u06FF]/;

/** Every problem there is, from the shared enums and the client's lists: a new one without words fails here. */
const EVERY_PROBLEM: Problem[] = [
  ...ErrorCode.options.map((code): Problem => ({ kind: 'service', code })),
  ...ErrorReason.options.map((reason): Problem => ({ kind: 'service', code: 'UNAVAILABLE', reason })),
  ...DEVICE_FAILURES.map((failure): Problem => ({ kind: 'device', failure })),
  ...PUBLISH_FAILURES.map((failure): Problem => ({ kind: 'publish', failure })),
  ...FORM_FIELDS.map((field): Problem => ({ kind: 'form', field })),
  ...KEY_PROBLEMS.map((problem): Problem => ({ kind: 'key', problem })),
  { kind: 'retrying', cause: { kind: 'publish', failure: 'trackEnded' } },
  { kind: 'mirrorLine', line: 'backup' },
  { kind: 'unknown' },
];

describe('problemText', () => {
  it.each(LANGUAGES)('gives every server code and reason, and every other problem, its own words in %s', (_, t) => {
    const texts = EVERY_PROBLEM.map((problem) => problemText(t, problem));
    for (const text of texts) expect(text.trim().length).toBeGreaterThan(5);
    const codes = ErrorCode.options.map((code) => problemText(t, { kind: 'service', code }));
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('says every problem in Urdu to an Urdu reader, never in the English words', () => {
    for (const problem of EVERY_PROBLEM) {
      const urdu = problemText(ur, problem);
      expect(urdu, JSON.stringify(problem)).toMatch(ARABIC_SCRIPT);
      expect(urdu, JSON.stringify(problem)).not.toBe(problemText(en, problem));
    }
  });

  it('says a reason rather than its code’s general words where the server gave one', () => {
    const busy = problemText(en, { kind: 'service', code: 'UNAVAILABLE', reason: 'uploadsBusy' });
    expect(busy).toBe(en.problems.reason.uploadsBusy);
    expect(busy).not.toBe(en.problems.service.UNAVAILABLE);
  });

  it('tells an organizer whose browser refused the microphone to allow it, in either language', () => {
    const refused = deviceProblemOf(new DOMException('Permission denied', 'NotAllowedError'));
    expect(problemText(en, refused)).toBe(en.problems.device.denied);
    expect(problemText(en, refused)).toMatch(/allow this site/);
    expect(problemText(ur, refused)).toBe(ur.problems.device.denied);
    expect(problemText(ur, refused)).not.toContain('Permission denied');
  });

  it('gives an unknown error the generic words, not its own message', () => {
    const text = problemText(ur, problemOf(new Error('Cannot read properties of undefined')));
    expect(text).toBe(ur.problems.unknown);
    expect(problemText(en, problemOf(new Error('Cannot read properties of undefined')))).toBe(en.problems.unknown);
  });

  it('never repeats the server’s English message to an Urdu reader', () => {
    const refused = new ServiceError('INVALID_STATE', 'the event was changed meanwhile: reload it and try again');
    expect(problemText(ur, problemOf(refused))).toBe(ur.problems.service.INVALID_STATE);
    expect(problemText(ur, problemOf(refused))).not.toContain('the event');
  });

  it('says why publishing failed inside the notice that it is retried', () => {
    const text = problemText(ur, { kind: 'retrying', cause: { kind: 'publish', failure: 'mediaConnection' } });
    expect(text).toBe(ur.problems.retrying(ur.problems.publish.mediaConnection));
  });
});
