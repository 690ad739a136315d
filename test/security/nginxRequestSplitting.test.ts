import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NginxProcess } from '../helpers/NginxProcess';

/**
 * Attack: `%0d%0a` in a path under /hls/. Were nginx to pass the decoded URI on, the CR LF would end the
 * request line at the origin and let the attacker write headers (or a whole second request) of their own.
 * The origin here is a plain TCP server that records the bytes it receives, so what nginx sends is seen
 * exactly; it answers every request with a cacheable body naming the path it was asked for.
 */
let origin: RawOrigin;
let nginx: NginxProcess;

beforeAll(async () => {
  origin = await RawOrigin.start();
  nginx = await NginxProcess.start({ origin: `127.0.0.1:${origin.port}` });
});

afterAll(async () => {
  await nginx?.close();
  await origin?.close();
});

describe('nginx in front of the origin, attacked with CR LF in an HLS path', () => {
  it('passes the path to the origin still encoded, as one request with no header of the attacker’s', async () => {
    const before = origin.requests.length;
    const attack = '/hls/rally/seg%0d%0aX-Injected:%20yes%0d%0a%0d%0aGET%20/api/events%20HTTP/1.1.ts';
    const response = await rawGet(nginx.url, attack);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);

    const received = origin.requests.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.requestLine).toBe(`GET ${attack} HTTP/1.1`);
    expect(received[0]!.headers.some((h) => /^x-injected/i.test(h))).toBe(false);
    expect(origin.requests.some((r) => r.requestLine.startsWith('GET /api/'))).toBe(false);
  });

  it('still caches segments, one origin request per file, a query string neither busting nor reaching it', async () => {
    const before = origin.requests.length;
    const first = await fetch(`${nginx.url}/hls/rally/360p/segment-7.m4s`);
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    expect(await first.text()).toBe('/hls/rally/360p/segment-7.m4s');
    const again = await fetch(`${nginx.url}/hls/rally/360p/segment-7.m4s?bust=${Date.now()}`);
    expect(again.headers.get('x-cache-status')).toBe('HIT');
    expect(await again.text()).toBe('/hls/rally/360p/segment-7.m4s');

    const received = origin.requests.slice(before);
    expect(received.map((r) => r.requestLine)).toEqual(['GET /hls/rally/360p/segment-7.m4s HTTP/1.1']);
  });
});

interface ReceivedRequest {
  requestLine: string;
  headers: string[];
}

/** An HTTP/1.1 origin small enough that every byte it is sent can be checked. */
class RawOrigin {
  readonly requests: ReceivedRequest[] = [];
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        let end: number;
        while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
          const [requestLine = '', ...headers] = buffered.slice(0, end).split('\r\n');
          buffered = buffered.slice(end + 4);
          this.requests.push({ requestLine, headers });
          const body = requestLine.split(' ')[1] ?? '';
          socket.write(
            'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: public, max-age=60\r\n' +
              `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`,
            'latin1',
          );
        }
      });
      socket.on('error', () => socket.destroy());
    });
  }

  static async start(): Promise<RawOrigin> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RawOrigin(server);
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A request written byte for byte: fetch would refuse (or re-encode) the path an attacker sends. */
function rawGet(baseUrl: string, pathAndQuery: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
    );
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });
}
