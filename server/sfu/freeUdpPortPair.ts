import dgram from 'node:dgram';

/**
 * An even UDP port whose successor is free too: ffmpeg's RTP input listens on a port and RTCP on the
 * next one. The ports are released before ffmpeg binds them, so a rare race is retried by the caller.
 */
export async function freeUdpPortPair(host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const rtp = await bind(host, 0);
    const port = rtp.address().port;
    const even = port % 2 === 0 ? port : port + 1;
    const sockets = [rtp];
    try {
      if (even !== port) sockets.push(await bind(host, even));
      sockets.push(await bind(host, even + 1));
      return even;
    } catch {
      // taken: try another pair
    } finally {
      for (const socket of sockets) socket.close();
    }
  }
  throw new Error('no free UDP port pair for the packager');
}

function bind(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, host, () => resolve(socket));
  });
}
