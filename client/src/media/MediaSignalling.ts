import { io, type Socket } from 'socket.io-client';
import {
  allMediaRequests,
  MEDIA_NAMESPACE,
  mediaNotifications,
  type MediaClientToServerEvents,
  type MediaNotification,
  type MediaNotificationName,
  type MediaRequest,
  type MediaRequestName,
  type MediaResponse,
  type MediaServerToClientEvents,
} from '../../../shared/signalling';
import { readAck } from '../lib/readAck';
import { ServiceError } from '../lib/ServiceError';

const REQUEST_TIMEOUT_MS = 10_000;

type MediaSocket = Socket<MediaServerToClientEvents, MediaClientToServerEvents>;

/** Request/acknowledgement and notification client for the `/media` Socket.io namespace. */
export class MediaSignalling {
  readonly #socket: MediaSocket;

  constructor() {
    this.#socket = io(MEDIA_NAMESPACE, {
      transports: ['websocket', 'polling'],
      // Some networks block WebSocket: fall back to long-polling rather than retry WebSocket forever.
      tryAllTransports: true,
      // Each session owns its connection, so close() really closes it rather than leaving a shared manager open.
      forceNew: true,
    });
  }

  /**
   * Socket.io's typed event maps cannot resolve a generic event name. Nothing is lost by going untyped here:
   * every payload crossing this view is checked against the schemas those maps are derived from.
   */
  get #byName(): Socket {
    return this.#socket as unknown as Socket;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Also fires on every reconnection: the server forgets a socket's state when it drops, so callers join again. */
  onConnect(listener: () => void): () => void {
    this.#socket.on('connect', listener);
    return () => this.#socket.off('connect', listener);
  }

  /** Each attempt to connect (or reconnect) that failed: the server did not answer, or not as Socket.io. */
  onConnectFailed(listener: () => void): () => void {
    this.#socket.on('connect_error', listener);
    return () => this.#socket.off('connect_error', listener);
  }

  /** `serverDropped`: the server closed the socket on purpose, and Socket.io does not reconnect by itself after that. */
  onDisconnect(onDisconnect: (serverDropped: boolean) => void): () => void {
    const listener = (reason: Socket.DisconnectReason) => onDisconnect(reason === 'io server disconnect');
    this.#socket.on('disconnect', listener);
    return () => this.#socket.off('disconnect', listener);
  }

  on<N extends MediaNotificationName>(name: N, listener: (payload: MediaNotification<N>) => void): () => void {
    const schema = mediaNotifications[name];
    const validated = (payload: unknown) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) listener(parsed.data as MediaNotification<N>);
      else console.warn(`Ignoring a malformed "${name}" notification`, parsed.error.issues);
    };
    const event: string = name;
    this.#byName.on(event, validated);
    return () => this.#byName.off(event, validated);
  }

  /** Resolves with the acknowledged data; rejects with a ServiceError carrying the server's error code. */
  async request<N extends MediaRequestName>(name: N, payload: MediaRequest<N>): Promise<MediaResponse<N>> {
    // Never queue across a reconnect: the server would apply the request to a socket that has not joined yet.
    if (!this.#socket.connected) throw new ServiceError('UNAVAILABLE', 'Not connected to the server.');
    let ack: unknown;
    try {
      const event: string = name;
      ack = await this.#byName.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      throw new ServiceError('UNAVAILABLE', `The server did not answer "${name}".`);
    }
    return readAck<unknown>(ack, allMediaRequests[name][1], name) as MediaResponse<N>;
  }

  close(): void {
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
  }
}
