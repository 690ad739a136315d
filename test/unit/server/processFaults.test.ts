import { describe, expect, it } from 'vitest';
import { faultVerdict } from '../../../server/processFaults';

const errnoError = (syscall: string) => Object.assign(new Error(`${syscall} ENOENT`), { code: 'ENOENT', syscall });

describe('faultVerdict', () => {
  it('keeps serving after any promise rejection nobody handled', () => {
    expect(faultVerdict('unhandledRejection', new Error('lost'))).toBe('continue');
    expect(faultVerdict('unhandledRejection', undefined)).toBe('continue');
  });

  it('keeps serving when the uncaught error is a child process failing to start or be signalled', () => {
    expect(faultVerdict('uncaughtException', errnoError('spawn ffmpeg'))).toBe('continue');
    expect(faultVerdict('uncaughtException', errnoError('spawn'))).toBe('continue');
    expect(faultVerdict('uncaughtException', errnoError('kill'))).toBe('continue');
  });

  it('stops the server after any other uncaught exception, whose state is undefined', () => {
    expect(faultVerdict('uncaughtException', new TypeError('x is undefined'))).toBe('exit');
    expect(faultVerdict('uncaughtException', errnoError('open'))).toBe('exit');
    expect(faultVerdict('uncaughtException', errnoError('spawnSync ffmpeg'))).toBe('exit');
    expect(faultVerdict('uncaughtException', null)).toBe('exit');
    expect(faultVerdict('uncaughtException', 'a string')).toBe('exit');
  });
});
