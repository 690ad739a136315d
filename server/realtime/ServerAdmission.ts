import type { IncomingMessage } from 'node:http';
import { UnavailableError } from '../errors';
import { AdmissionControl, type AdmissionSettings } from './AdmissionControl';
import { EventLoopDelay } from './EventLoopDelay';

/** engine.io's `allowRequest`: asked once per new connection, at its handshake. */
export type AllowRequest = (request: IncomingMessage, callback: (error: string | null, allowed: boolean) => void) => void;

/** Sent with a refused handshake; Socket.io's client reconnects after its own jittered backoff. */
export const HANDSHAKE_REFUSED = 'the server is busy; try again in a moment';

/**
 * The server-wide {@link AdmissionControl} applied: at the handshake of every Socket.io connection,
 * and by the `join` of the media and chat namespaces, against this process's event-loop delay.
 */
export class ServerAdmission {
  readonly control: AdmissionControl;
  readonly #loopDelay = new EventLoopDelay();

  constructor(settings: AdmissionSettings) {
    this.control = new AdmissionControl(settings);
  }

  /** Asks `first` (the per-address limit), then the server-wide admission; only what both allow comes in. */
  allowRequest(first: AllowRequest): AllowRequest {
    return (request, callback) => {
      first(request, (error, allowed) => {
        if (!allowed) return callback(error, false);
        const decision = this.control.decide('handshake', this.#loopDelay.recentMaxMs);
        callback(decision.admitted ? null : HANDSHAKE_REFUSED, decision.admitted);
      });
    };
  }

  /**
   * Lets an attendee's join go on, before any of its work (the event, the room, the chat history).
   * @throws UnavailableError (`serverBusy`) when the server takes no newcomer now; the client retries.
   */
  admitJoin(): void {
    const decision = this.control.decide('join', this.#loopDelay.recentMaxMs);
    if (decision.admitted) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new UnavailableError(`the server is busy; try again in ${seconds} s`, 'serverBusy');
  }

  close(): void {
    this.#loopDelay.close();
  }
}

/** What namespaces need of the admission: the join gate only. */
export type JoinAdmission = Pick<ServerAdmission, 'admitJoin'>;
