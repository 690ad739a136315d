import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Ack } from '../../shared/errors';
import { MEDIA_NAMESPACE, type MediaNotificationName } from '../../shared/signalling';

/**
 * A raw client for tests (of `/media` unless told another namespace): it returns acks as they come,
 * errors included, and sends anything.
 */
export class SignallingClient {
  readonly socket: Socket;

  protected constructor(socket: Socket) {
    this.socket = socket;
  }

  static async connect(
    url: string,
    namespace = MEDIA_NAMESPACE,
    options: Partial<ManagerOptions & SocketOptions> = {},
  ): Promise<SignallingClient> {
    const socket = io(`${url}${namespace}`, { transports: ['websocket'], reconnection: false, ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return new SignallingClient(socket);
  }

  request<T = unknown>(name: string, payload?: unknown): Promise<Ack<T>> {
    return this.socket.timeout(5000).emitWithAck(name, payload) as Promise<Ack<T>>;
  }

  /** Like {@link request} but the answer must be a success. */
  async ok<T = Record<string, unknown>>(name: string, payload?: unknown): Promise<T> {
    const ack = await this.request<T>(name, payload);
    if (!ack.ok) throw new Error(`${name} failed: ${ack.error.code} ${ack.error.message}`);
    return ack.data;
  }

  next<T = unknown>(notification: MediaNotificationName | (string & {}), timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${notification} within ${timeoutMs} ms`)), timeoutMs);
      this.socket.once(notification, (payload: T) => {
        clearTimeout(timer);
        resolve(payload);
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}
