type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * A typed event emitter for the browser (Node's is not bundled): `E` maps each event name to its
 * arguments. Listeners are called synchronously, in the order they subscribed.
 */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  readonly #listeners = new Map<keyof E, Set<Listener<never[]>>>();

  /** Returns the unsubscribe function. */
  on<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void {
    let listeners = this.#listeners.get(name);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(name, listeners);
    }
    const stored = listener as unknown as Listener<never[]>;
    listeners.add(stored);
    return () => listeners.delete(stored);
  }

  protected emit<K extends keyof E>(name: K, ...args: E[K]): void {
    for (const listener of [...(this.#listeners.get(name) ?? [])]) (listener as unknown as Listener<E[K]>)(...args);
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
