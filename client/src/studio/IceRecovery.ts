import type { types } from 'mediasoup-client';
import type { Problem } from '../lib/Problem';

/** A short drop (a phone changing cell, a Wi-Fi blip) often heals by itself: restart only if it lasts this long. */
export const DISCONNECTED_GRACE_MS = 2_000;
/** A restart not connected after this long is tried again. */
export const RESTART_TIMEOUT_MS = 8_000;
/** Restarts in a row without connecting before the transport is given up (the publisher is made anew). */
export const MAX_RESTARTS = 3;

/** However it was lost (restarts that did not connect, a server that forgot the transport), the organizer is told the same. */
const MEDIA_CONNECTION_LOST: Problem = { kind: 'publish', failure: 'mediaConnection' };

/** The transport as the recovery sees it: its state, and restarting ICE with the server's new credentials. */
export interface RecoverableTransport {
  readonly connectionState: types.ConnectionState;
  on(event: 'connectionstatechange', listener: (state: types.ConnectionState) => void): unknown;
  off(event: 'connectionstatechange', listener: (state: types.ConnectionState) => void): unknown;
  restartIce(options: { iceParameters: types.IceParameters }): Promise<void>;
}

/**
 * Keeps the organizer's send transport up through a network drop by restarting ICE on it (new
 * credentials from the server, `restartIce`), so the producers, and everything viewers and the recorder
 * consume of them, go on as they were: nothing is produced again. A drop that lasts through
 * {@link MAX_RESTARTS} restarts, or a server that no longer knows the transport, is given up to
 * `onGiveUp`, whose caller publishes again from scratch. While the signalling socket is down too, the
 * restart request fails and nothing more is tried: the socket's return joins and publishes anew.
 */
export class IceRecovery {
  readonly #transport: RecoverableTransport;
  readonly #askServer: () => Promise<types.IceParameters>;
  readonly #onGiveUp: (cause: Problem) => void;
  #restarts = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    transport: RecoverableTransport,
    askServer: () => Promise<types.IceParameters>,
    onGiveUp: (cause: Problem) => void,
  ) {
    this.#transport = transport;
    this.#askServer = askServer;
    this.#onGiveUp = onGiveUp;
    transport.on('connectionstatechange', this.#onState);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#transport.off('connectionstatechange', this.#onState);
  }

  readonly #onState = (state: types.ConnectionState): void => {
    if (this.#closed) return;
    if (state === 'connected') {
      this.#restarts = 0;
      clearTimeout(this.#timer);
    } else if (state === 'disconnected') {
      this.#later(DISCONNECTED_GRACE_MS);
    } else if (state === 'failed') {
      clearTimeout(this.#timer);
      void this.#restart();
    }
  };

  #later(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#transport.connectionState !== 'connected') void this.#restart();
    }, ms);
  }

  async #restart(): Promise<void> {
    if (this.#closed) return;
    if (this.#restarts >= MAX_RESTARTS) {
      this.#giveUp();
      return;
    }
    this.#restarts += 1;
    let iceParameters: types.IceParameters;
    try {
      iceParameters = await this.#askServer();
    } catch {
      // The socket is down (its return publishes anew), or the server has no such transport any more.
      this.#giveUp();
      return;
    }
    if (this.#closed) return;
    try {
      await this.#transport.restartIce({ iceParameters });
    } catch {
      this.#giveUp();
      return;
    }
    this.#later(RESTART_TIMEOUT_MS);
  }

  #giveUp(): void {
    if (this.#closed) return;
    this.close();
    this.#onGiveUp(MEDIA_CONNECTION_LOST);
  }
}
