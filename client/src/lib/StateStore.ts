import { useSyncExternalStore } from 'react';

/**
 * Immutable state with change listeners: lets framework-free session classes feed React through
 * useSyncExternalStore, which needs a new object on every change and a stable subscribe function.
 */
export class StateStore<S extends object> {
  #state: S;
  readonly #listeners = new Set<() => void>();

  constructor(initial: S) {
    this.#state = initial;
  }

  readonly get = (): S => this.#state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  update(patch: Partial<S>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  clearListeners(): void {
    this.#listeners.clear();
  }
}

export function useStateStore<S extends object>(store: StateStore<S>): S {
  return useSyncExternalStore(store.subscribe, store.get);
}
