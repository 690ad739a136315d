import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from './logger';

/** Used by emitters built without a logger of their own: a listener throwing is a bug worth printing. */
let fallbackLogger: Logger | undefined;

class ListenerSafeEmitter extends EventEmitter {
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    super();
    this.#logger = logger;
  }

  override emit(eventName: string | symbol, ...args: unknown[]): boolean {
    // Without a listener, 'error' keeps its meaning: it throws.
    if (eventName === 'error' && this.listenerCount('error') === 0) return super.emit(eventName, ...args);
    const listeners = this.rawListeners(eventName) as ((...a: unknown[]) => unknown)[];
    for (const listener of listeners) {
      try {
        listener.apply(this, args);
      } catch (error) {
        fallbackLogger ??= createLogger('warn');
        (this.#logger ?? fallbackLogger).error({ err: error, event: String(eventName) }, 'an event listener threw');
      }
    }
    return listeners.length > 0;
  }
}

/**
 * A typed EventEmitter whose listeners cannot break it (mediasoup's `safeEmit`, for every emit): a
 * listener that throws is logged and the next one still runs, so the emitter's own work, e.g. adding
 * the producer whose `producerAdded` a listener mishandled, goes on as if nothing happened.
 */
export const SafeEmitter = ListenerSafeEmitter as unknown as new <T extends Record<keyof T, unknown[]>>(
  logger?: Logger,
) => EventEmitter<T>;
export type SafeEmitter<T extends Record<keyof T, unknown[]>> = EventEmitter<T>;
