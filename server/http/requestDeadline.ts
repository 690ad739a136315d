import type http from 'node:http';

/**
 * Bounds the time to receive each request, as Node's own `requestTimeout` does, except for the requests
 * `exempt` names. Node's timeout cannot spare one route: it would cut an organizer's upload after five
 * minutes however steadily it arrives on a slow link. The server turns Node's off and installs this
 * instead, so that every other request (REST bodies, Socket.io's polling) still cannot be dripped in
 * forever; the exempt ones watch their own progress (see `receiveUpload`).
 */
export function enforceRequestDeadline(
  server: http.Server,
  deadlineMs: number,
  exempt: (req: http.IncomingMessage) => boolean,
): void {
  server.requestTimeout = 0;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (exempt(req)) return;
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, deadlineMs);
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    res.once('close', clear);
  });
}
