import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../server/logger';
import { EXIT_FORCED, EXIT_SHUTDOWN_TIMED_OUT, Shutdown } from '../../../server/shutdown';

const logger = createLogger('silent');

describe('Shutdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function shutdown(close: () => Promise<void>, timeoutMs = 1_000) {
    const exit = vi.fn<(code?: number) => void>();
    return { exit, shutdown: new Shutdown(close, { timeoutMs, logger, exit }) };
  }

  it('closes once and exits without a code of its own when the close finishes', async () => {
    const close = vi.fn(async () => undefined);
    const { exit, shutdown: s } = shutdown(close);
    await Promise.all([s.stop('SIGTERM'), s.stop('uncaughtException')]);
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(undefined);
  });

  it('exits at once with a failure code on a second signal', () => {
    const { exit, shutdown: s } = shutdown(() => new Promise(() => undefined));
    s.signal('SIGINT');
    expect(exit).not.toHaveBeenCalled();
    s.signal('SIGINT');
    expect(exit).toHaveBeenCalledWith(EXIT_FORCED);
  });

  it('does not force an exit when a fault asks to stop while stopping', () => {
    const { exit, shutdown: s } = shutdown(() => new Promise(() => undefined));
    s.signal('SIGTERM');
    void s.stop('uncaughtException');
    expect(exit).not.toHaveBeenCalled();
  });

  it('exits with a failure code when the close outlasts the timeout', async () => {
    const { exit, shutdown: s } = shutdown(() => new Promise(() => undefined), 5_000);
    s.signal('SIGTERM');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(EXIT_SHUTDOWN_TIMED_OUT);
  });

  it('exits with a failure code when the close fails', async () => {
    const { exit, shutdown: s } = shutdown(async () => {
      throw new Error('database gone');
    });
    await s.stop('SIGTERM');
    expect(exit).toHaveBeenCalledWith(1);
  });
});
