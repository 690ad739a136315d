import net from 'node:net';

/**
 * A TCP proxy on loopback standing in for a bad mobile link between a client and the server: it can
 * drop every connection and refuse new ones (the line is down), or keep passing what the client sends
 * while losing everything coming back (the answers never arrive).
 */
export class FlakyProxy {
  readonly #server: net.Server;
  readonly #connections = new Set<net.Socket>();
  #targetPort: number;
  #down = false;
  #losingReplies = false;

  private constructor(server: net.Server, targetPort: number) {
    this.#server = server;
    this.#targetPort = targetPort;
    server.on('connection', (client) => this.#accept(client));
  }

  static async start(targetPort: number): Promise<FlakyProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FlakyProxy(server, targetPort);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  /** The line goes down: open connections break, new ones are refused. */
  cut(): void {
    this.#down = true;
    this.#losingReplies = false;
    for (const socket of this.#connections) socket.destroy();
  }

  /** The line is back, possibly to another server (one that restarted on a new port). */
  restore(targetPort = this.#targetPort): void {
    this.#targetPort = targetPort;
    this.#down = false;
  }

  /** From now until the next cut, what the server sends is lost on the way. */
  loseReplies(): void {
    this.#losingReplies = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    if (this.#down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.#targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#connections.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#connections.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!this.#losingReplies) client.write(chunk);
    });
  }
}
