import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * UDP sockets on loopback that read and drop what is sent to them, in a thread of their own so that
 * reading keeps up however busy the benchmark's main thread is (a full socket buffer would show as loss).
 * They count RTP apart from RTCP (RFC 5761's payload types 192-223; SRTP leaves the header readable) and
 * the RTP that never arrived, from the gaps in each stream's sequence numbers: loss seen by the
 * receivers themselves, with no window to align against the sender's counters.
 */
export class UdpSinks {
  readonly ports: number[];
  readonly #thread: Worker;
  readonly #counters: Int32Array;

  private constructor(thread: Worker, ports: number[], counters: Int32Array) {
    this.#thread = thread;
    this.ports = ports;
    this.#counters = counters;
  }

  /** RTP datagrams read so far over all sinks (wraps past 2^31, far beyond a bench's run). */
  get rtp(): number {
    return Atomics.load(this.#counters, RTP);
  }

  /** RTP datagrams missing so far: sequence numbers skipped within a stream (one arriving late, after its gap, stays counted: loopback does not reorder). */
  get missing(): number {
    return Atomics.load(this.#counters, MISSING);
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
    const counters = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const thread = new Worker(SINK_THREAD, { eval: true, workerData: { count, counters } });
    const ports = await new Promise<number[]>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    return new UdpSinks(thread, ports, counters);
  }

  close(): Promise<number> {
    return this.#thread.terminate();
  }
}

const RTP = 0;
const MISSING = 1;

const SINK_THREAD = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const { counters } = workerData;
/**
 * Each stream's highest sequence number so far. A stream is an SSRC from one sender's port: every
 * consumer of a producer sends with the same SSRC, each from its own transport.
 */
const highest = new Map();
function read(datagram, from) {
  if (datagram.length < 12 || (datagram[1] >= 192 && datagram[1] <= 223)) return;
  Atomics.add(counters, ${RTP}, 1);
  const stream = from.port * 2 ** 32 + datagram.readUInt32BE(8);
  const seq = datagram.readUInt16BE(2);
  const last = highest.get(stream);
  const ahead = last === undefined ? 1 : (seq - last) & 0xffff;
  // Behind the highest (reordered or repeated): already counted as missing, or never was.
  if (ahead === 0 || ahead >= 0x8000) return;
  if (ahead > 1) Atomics.add(counters, ${MISSING}, ahead - 1);
  highest.set(stream, seq);
}
const sockets = Array.from({ length: workerData.count }, () => {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  socket.on('message', read);
  return socket;
});
Promise.all(sockets.map((s) => new Promise((resolve) => s.bind(0, '127.0.0.1', resolve)))).then(() =>
  parentPort.postMessage(sockets.map((s) => s.address().port)),
);
`;
