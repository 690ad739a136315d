import type { IncomingMessage } from 'node:http';
import { clientAddress } from './clientAddress';

/** The part of engine.io's server whose connections are counted. */
export interface ConnectionSource {
  on(event: 'connection', listener: (connection: Connection) => void): unknown;
}

/** One engine.io connection (all of a client's namespaces travel over it). */
interface Connection {
  readonly request: IncomingMessage;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Caps the Socket.io connections open at once from one client address, so that one machine cannot
 * open enough of them to take every WebRTC seat. The cap is generous: behind carrier NAT a whole town
 * of phones can share one address. The address is the one {@link clientAddress} trusts (the local
 * proxy's, never what a client wrote).
 */
export class AddressConnectionLimit {
  readonly #limit: number;
  readonly #open = new Map<string, number>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Connections open now from `address`. */
  open(address: string): number {
    return this.#open.get(address) ?? 0;
  }

  /**
   * For Socket.io's `allowRequest`, which engine.io asks on a new connection's handshake only (the
   * requests of an open connection are not counted again).
   */
  readonly allowRequest = (
    request: IncomingMessage,
    callback: (error: string | null, allowed: boolean) => void,
  ): void => {
    const allowed = this.open(addressOf(request)) < this.#limit;
    callback(allowed ? null : 'too many connections from this address', allowed);
  };

  /** Counts each connection of `engine` from its handshake until it closes. */
  watch(engine: ConnectionSource): void {
    engine.on('connection', (connection) => {
      const address = addressOf(connection.request);
      this.#open.set(address, this.open(address) + 1);
      connection.once('close', () => {
        const left = this.open(address) - 1;
        if (left > 0) this.#open.set(address, left);
        else this.#open.delete(address);
      });
    });
  }
}

function addressOf(request: IncomingMessage): string {
  return clientAddress({ address: request.socket.remoteAddress ?? '', headers: request.headers });
}
