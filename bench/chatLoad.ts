/**
 * A load process of bench/chat.ts, started by it (never by hand) and driven over IPC: `receivers` hold
 * many `/chat` connections that only listen and time what arrives; `senders` post at a steady rate.
 * Each message carries its send time, so a receiver on the same machine knows its fan-out latency.
 * Receivers also count the bytes their connections read from TCP (WebSocket frames, headers included),
 * and, on their first connection, what permessage-deflate would have made of the same frames.
 */
import crypto from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { WebSocket } from 'ws';
import { CHAT_NAMESPACE, decodeChatBatch, type ChatBatchWire, type ChatFeed } from '../shared/chat';
import type { Ack } from '../shared/errors';
import type { ProbeBytes } from './DeflateProbe';
import { ReceiverTally } from './ReceiverTally';

export type LoadCommand =
  | { type: 'connect'; urls: string[]; slug: string; count: number; feed: ChatFeed }
  | { type: 'send'; perSecond: number; warmupMs: number; measureMs: number }
  | { type: 'progress' }
  | { type: 'meter' }
  | { type: 'report' }
  | { type: 'stop' };

export type LoadReport =
  | { type: 'connected' }
  /** `measured`: messages sent in the measured window that the server did not refuse; `unacknowledged`: no answer within 10 s. */
  | { type: 'sent'; measured: number; refused: Record<string, number>; unacknowledged: number }
  | { type: 'progress'; received: number }
  /**
   * Totals so far over this process's connections: `bytes` read from TCP, `messages` received (measured
   * or not); and, for its first connection alone, the WebSocket frames' bytes as they came and as
   * permessage-deflate would have sent them, with and without its compression context kept between frames.
   */
  | { type: 'meter'; sockets: number; bytes: number; messages: number; probe: ProbeBytes }
  | { type: 'report'; histogram: [number, number][]; received: number; duplicates: number };

export type { ProbeBytes };

/** Connections opened at once while ramping up: enough to be quick, few enough not to time out. */
const CONNECT_CONCURRENCY = 250;
const TICK_MS = 10;

const sockets: Socket[] = [];
const tally = new ReceiverTally();

function report(message: LoadReport): void {
  process.send!(message);
}

async function open(url: string, slug: string, feed: ChatFeed): Promise<Socket> {
  const socket = io(`${url}${CHAT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const ack = (await socket.timeout(60_000).emitWithAck('join', { slug, clientKey: crypto.randomBytes(16).toString('base64url'), feed })) as {
    ok: boolean;
  };
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  return socket;
}

/** Times every measured message; ids only ever grow on one connection, so a smaller one is a duplicate. */
function listen(socket: Socket): void {
  let lastId = 0;
  socket.on('batch', (payload: unknown) => {
    const now = Date.now();
    // Decoded without the schema's checks: the bench trusts its own server, and 10,000 frames a second
    // checked would take the cores the servers are measured on.
    for (const entry of decodeChatBatch(payload as ChatBatchWire).entries) {
      if (entry.kind !== 'message') continue;
      tally.messages++;
      if (entry.id <= lastId) {
        tally.duplicates++;
        continue;
      }
      lastId = entry.id;
      const [tag, , sentAt, measured] = entry.text.split(':');
      if (tag !== 'b' || measured !== '1') continue;
      tally.received++;
      tally.histogram.record(now - Number(sentAt));
    }
  });
}

/** The WebSocket under a Socket.io connection (Node's socket.io-client uses the `ws` package). */
function webSocket(socket: Socket): WebSocket {
  return (socket.io.engine.transport as unknown as { ws: WebSocket }).ws;
}

/** Bytes this connection has read from TCP: the WebSocket handshake's answer, then frames. */
function bytesRead(socket: Socket): number {
  return (webSocket(socket) as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
}

async function connect({ urls, slug, count, feed }: Extract<LoadCommand, { type: 'connect' }>): Promise<void> {
  for (let first = 0; first < count; first += CONNECT_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - first) }, (_, i) =>
      open(urls[(first + i) % urls.length]!, slug, feed),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  for (const socket of sockets) listen(socket);
  if (sockets[0]) webSocket(sockets[0]).on('message', (data: Buffer) => tally.probe.frame(data));
  report({ type: 'connected' });
}

/** Sends on the connections in turn, keeping the total rate steady whatever the timer's jitter. */
async function send({ perSecond, warmupMs, measureMs }: Extract<LoadCommand, { type: 'send' }>): Promise<void> {
  const startedAt = Date.now();
  let sent = 0;
  let measured = 0;
  let unacknowledged = 0;
  const refused: Record<string, number> = {};
  const acks: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Date.now() - startedAt;
      if (elapsed >= warmupMs + measureMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((elapsed * perSecond) / 1000);
      for (; sent < due; sent++) {
        const isMeasured = elapsed >= warmupMs;
        const socket = sockets[sent % sockets.length]!;
        const text = `b:${sent}:${Date.now()}:${isMeasured ? 1 : 0}`;
        const clientId = `bench-${String(sent).padStart(8, '0')}`;
        if (isMeasured) measured++;
        acks.push(
          (socket.timeout(10_000).emitWithAck('send', { clientId, name: 'bench', text }) as Promise<Ack<unknown>>).then(
            (ack) => {
              if (ack.ok) return;
              refused[ack.error.code] = (refused[ack.error.code] ?? 0) + 1;
              if (isMeasured) measured--;
            },
            () => {
              unacknowledged++;
            },
          ),
        );
      }
    }, TICK_MS);
  });
  await Promise.all(acks);
  report({ type: 'sent', measured, refused, unacknowledged });
}

process.on('message', (command: LoadCommand) => {
  switch (command.type) {
    case 'connect':
      connect(command).catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
      break;
    case 'send':
      void send(command);
      break;
    case 'progress':
    case 'meter':
    case 'report':
      report(tally.answer(command.type, sockets.length, () => sockets.reduce((sum, socket) => sum + bytesRead(socket), 0)));
      break;
    case 'stop':
      for (const socket of sockets) socket.disconnect();
      process.exit(0);
  }
});
