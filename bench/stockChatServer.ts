/**
 * The comparison of bench/chat.ts, started by it (never by hand): stock Socket.IO as a chat is usually
 * written, default options, every message its own `io.to(room).emit('message', m)` to a room of the
 * `/chat` namespace. It answers the same `join` and `send` requests as Jalsa's chat (without checks,
 * storage or moderation), so the same senders and receivers drive both.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { CHAT_NAMESPACE } from '../shared/chat';

export type StockCommand = { type: 'listen' } | { type: 'stop' };
export type StockReply = { type: 'listening'; url: string };

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false });
let nextId = 1;

io.of(CHAT_NAMESPACE).on('connection', (socket) => {
  const authorId = crypto.randomBytes(12).toString('base64url');
  let room: string | undefined;
  socket.on('join', ({ slug }: { slug: string }, ack: (reply: unknown) => void) => {
    room = slug;
    void socket.join(slug);
    ack({ ok: true, data: {} });
  });
  socket.on('send', ({ name, text }: { name: string; text: string }, ack: (reply: unknown) => void) => {
    if (!room) return;
    const message = { id: nextId++, at: Date.now(), authorId, name, role: 'attendee', text };
    io.of(CHAT_NAMESPACE).to(room).emit('message', message);
    ack({ ok: true, data: { id: message.id, at: message.at } });
  });
});

process.on('message', (command: StockCommand) => {
  if (command.type === 'listen') {
    httpServer.listen(0, '127.0.0.1', () => {
      const { port } = httpServer.address() as AddressInfo;
      process.send!({ type: 'listening', url: `http://127.0.0.1:${port}` } satisfies StockReply);
    });
  } else {
    void io.close();
    process.exit(0);
  }
});
