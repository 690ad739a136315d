import fs from 'node:fs';
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

  /**
   * Datagrams the kernel dropped at the sinks' sockets so far (their buffers were full: the sinks read
   * too slowly), from /proc/net/udp: these sockets' own counters, not the machine's.
   */
  kernelDrops(): number {
    const ports = new Set(this.ports);
    let drops = 0;
    for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (ports.has(port)) drops += Number(fields.at(-1));
    }
    return drops;
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
