import { Worker } from 'node:worker_threads';

/**
 * UDP sockets on loopback that read and drop what is sent to them, in a thread of their own so that
 * reading keeps up however busy the benchmark's main thread is (a full socket buffer would show as loss).
 */
export class UdpSinks {
  readonly ports: number[];
  readonly #thread: Worker;
  readonly #received: Int32Array;

  private constructor(thread: Worker, ports: number[], received: Int32Array) {
    this.#thread = thread;
    this.ports = ports;
    this.#received = received;
  }

  /** Datagrams read so far over all sinks (wraps past 2^31, far beyond a bench's run). */
  get received(): number {
    return Atomics.load(this.#received, 0);
  }

  static async open(count: number): Promise<UdpSinks> {
    const received = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Worker(SINK_THREAD, { eval: true, workerData: { count, received } });
    const ports = await new Promise<number[]>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    return new UdpSinks(thread, ports, received);
  }

  close(): Promise<number> {
    return this.#thread.terminate();
  }
}

const SINK_THREAD = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const sockets = Array.from({ length: workerData.count }, () => {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  socket.on('message', () => Atomics.add(workerData.received, 0, 1));
  return socket;
});
Promise.all(sockets.map((s) => new Promise((resolve) => s.bind(0, '127.0.0.1', resolve)))).then(() =>
  parentPort.postMessage(sockets.map((s) => s.address().port)),
);
`;
