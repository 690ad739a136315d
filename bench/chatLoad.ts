/**
 * A load process of bench/chat.ts, started by it (never by hand) and driven over IPC: `receivers` hold
 * many `/chat` connections that only listen and time what arrives; `senders` post at a steady rate.
 * Each message carries its send time, so a receiver on the same machine knows its fan-out latency.
 */
import crypto from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { CHAT_NAMESPACE, type ChatBatch } from '../shared/chat';
import type { Ack } from '../shared/errors';
import { LatencyHistogram } from './LatencyHistogram';

export type LoadCommand =
  | { type: 'connect'; urls: string[]; slug: string; count: number }
  | { type: 'send'; perSecond: number; warmupMs: number; measureMs: number }
  | { type: 'progress' }
  | { type: 'report' }
  | { type: 'stop' };

export type LoadReport =
  | { type: 'connected' }
  /** `measured`: messages sent in the measured window that the server did not refuse; `unacknowledged`: no answer within 10 s. */
  | { type: 'sent'; measured: number; refused: Record<string, number>; unacknowledged: number }
  | { type: 'progress'; received: number }
  | { type: 'report'; histogram: [number, number][]; received: number; duplicates: number };

/** Connections opened at once while ramping up: enough to be quick, few enough not to time out. */
const CONNECT_CONCURRENCY = 250;
const TICK_MS = 10;

const sockets: Socket[] = [];
const histogram = new LatencyHistogram();
let received = 0;
let duplicates = 0;

function report(message: LoadReport): void {
  process.send!(message);
}

async function open(url: string, slug: string): Promise<Socket> {
  const socket = io(`${url}${CHAT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const ack = (await socket.timeout(60_000).emitWithAck('join', { slug, clientKey: crypto.randomBytes(16).toString('base64url') })) as {
    ok: boolean;
  };
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  return socket;
}

/** Times every measured message; ids only ever grow on one connection, so a smaller one is a duplicate. */
function listen(socket: Socket): void {
  let lastId = 0;
  socket.on('batch', (batch: ChatBatch) => {
    const now = Date.now();
    for (const entry of batch.entries) {
      if (entry.kind !== 'message') continue;
      if (entry.id <= lastId) {
        duplicates++;
        continue;
      }
      lastId = entry.id;
      const [tag, , sentAt, measured] = entry.text.split(':');
      if (tag !== 'b' || measured !== '1') continue;
      received++;
      histogram.record(now - Number(sentAt));
    }
  });
}

async function connect({ urls, slug, count }: Extract<LoadCommand, { type: 'connect' }>): Promise<void> {
  for (let first = 0; first < count; first += CONNECT_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - first) }, (_, i) =>
      open(urls[(first + i) % urls.length]!, slug),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  for (const socket of sockets) listen(socket);
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
      report({ type: 'progress', received });
      break;
    case 'report':
      report({ type: 'report', histogram: histogram.toSparse(), received, duplicates });
      break;
    case 'stop':
      for (const socket of sockets) socket.disconnect();
      process.exit(0);
  }
});
