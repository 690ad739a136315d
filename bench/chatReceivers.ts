/**
 * A receiver process of bench/chat.ts, started by it (never by hand) and driven over IPC like
 * bench/chatLoad.ts, but light: raw WebSocket connections speaking the Engine.IO v4 / Socket.IO v5 wire
 * format themselves (open packet, namespace connect, ping/pong, the `join` request with its
 * acknowledgement), so that the server, not its load generator, is what runs out of CPU first.
 *
 * A frame is not decoded: the bench's message texts (`b:<n>:<sent ms>:<measured>`, written by
 * chatLoad's senders) are found in it as they are, the same in our compact batch frames
 * (`42/chat,["batch",[null,[0,Δid,Δat,"author","bench","b:…"],…]]`) as in a stock server's
 * per-message frames (`42/chat,["message",{…"text":"b:…"}]`).
 */
import crypto from 'node:crypto';
import { WebSocket } from 'ws';
import { CHAT_NAMESPACE } from '../shared/chat';
import { ReceiverTally } from './ReceiverTally';
import type { LoadCommand, LoadReport } from './chatLoad';

const CONNECT_CONCURRENCY = 250;
/** A join the server has not answered in this long has failed: the bench stops rather than measure fewer attendees. */
const JOIN_TIMEOUT_MS = 60_000;
/** A bench message's text, and its send time and whether it falls in the measured window. */
const BENCH_TEXT = /"b:(\d+):(\d+):([01])"/g;

const ENGINE_OPEN = 0x30; // '0'
const ENGINE_PING = 0x32; // '2'
const ENGINE_MESSAGE = 0x34; // '4'
const SOCKET_EVENT = 0x32; // '2' after '4'
const NAMESPACE_PREFIX = `40${CHAT_NAMESPACE},`;
const JOIN_ACK_PREFIX = `43${CHAT_NAMESPACE},0`;

const connections: Connection[] = [];
const tally = new ReceiverTally();

function report(message: LoadReport): void {
  process.send!(message);
}

/** One attendee's connection: which bench messages it has seen, to count duplicates. */
class Connection {
  readonly ws: WebSocket;
  #seen = new Uint8Array(1024);

  constructor(ws: WebSocket) {
    this.ws = ws;
  }

  /** Counts the bench messages of an event frame (text, as Latin-1: the markers are ASCII). */
  onEvent(frame: string, now: number): void {
    BENCH_TEXT.lastIndex = 0;
    for (let match = BENCH_TEXT.exec(frame); match; match = BENCH_TEXT.exec(frame)) {
      tally.messages++;
      const n = Number(match[1]);
      if (n >= this.#seen.length) {
        const grown = new Uint8Array(Math.max(n + 1, this.#seen.length * 2));
        grown.set(this.#seen);
        this.#seen = grown;
      }
      if (this.#seen[n]) {
        tally.duplicates++;
        continue;
      }
      this.#seen[n] = 1;
      if (match[3] !== '1') continue;
      tally.received++;
      tally.histogram.record(now - Number(match[2]));
    }
  }

  get bytesRead(): number {
    return (this.ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
  }
}

/**
 * Opens a connection and joins the event: Engine.IO's open packet, then `40/chat,` (Socket.IO's
 * namespace connect), then `42/chat,0["join",{…}]`, whose acknowledgement `43/chat,0[{"ok":true,…}]`
 * completes it. Pings (`2`) are answered with pongs (`3`) for as long as the connection lives.
 */
function open(url: string, slug: string, feed: string): Promise<Connection> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  const connection = new Connection(ws);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('join timed out')), JOIN_TIMEOUT_MS);
    let joined = false;
    ws.on('error', reject);
    ws.on('close', () => {
      if (!joined) reject(new Error('closed before joining'));
    });
    ws.on('message', (data: Buffer) => {
      const type = data[0];
      if (type === ENGINE_PING && data.length === 1) {
        ws.send('3');
        return;
      }
      if (type === ENGINE_MESSAGE && data[1] === SOCKET_EVENT) {
        if (joined) connection.onEvent(data.toString('latin1'), Date.now());
        return;
      }
      if (type === ENGINE_OPEN) {
        ws.send(NAMESPACE_PREFIX);
        return;
      }
      const text = data.toString('utf8');
      if (text.startsWith(NAMESPACE_PREFIX)) {
        const join = { slug, clientKey: crypto.randomBytes(16).toString('base64url'), feed };
        ws.send(`42${CHAT_NAMESPACE},0${JSON.stringify(['join', join])}`);
      } else if (text.startsWith(JOIN_ACK_PREFIX)) {
        const [ack] = JSON.parse(text.slice(JOIN_ACK_PREFIX.length)) as [{ ok: boolean }];
        clearTimeout(timer);
        if (!ack.ok) {
          reject(new Error(`join failed: ${text.slice(0, 300)}`));
          return;
        }
        joined = true;
        resolve(connection);
      } else if (text.startsWith(`44${CHAT_NAMESPACE},`)) {
        reject(new Error(`namespace refused: ${text.slice(0, 300)}`));
      }
    });
  });
}

async function connect({ urls, slug, count, feed }: Extract<LoadCommand, { type: 'connect' }>): Promise<void> {
  for (let first = 0; first < count; first += CONNECT_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - first) }, (_, i) =>
      open(urls[(first + i) % urls.length]!, slug, feed),
    );
    connections.push(...(await Promise.all(batch)));
  }
  connections[0]?.ws.on('message', (data: Buffer) => tally.probe.frame(data));
  report({ type: 'connected' });
}

process.on('message', (command: LoadCommand) => {
  switch (command.type) {
    case 'connect':
      connect(command).catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
      break;
    case 'progress':
    case 'meter':
    case 'report':
      report(tally.answer(command.type, connections.length, () => connections.reduce((sum, connection) => sum + connection.bytesRead, 0)));
      break;
    case 'send':
      throw new Error('a receiver process does not send');
    case 'stop':
      for (const connection of connections) connection.ws.terminate();
      process.exit(0);
  }
});
