import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';

const run = promisify(execFile);

/** Largest queue a shaped link holds before dropping: a phone's uplink buffer, roughly. */
export const QUEUE_LATENCY_MS = 400;

/**
 * A network namespace joined to the host by a veth pair, either of whose directions (the namespace's
 * uplink, its downlink) can be shaped with `tc tbf` (or `htb`, to give UDP less) — Linux traffic shaping, which holds for WebRTC where
 * Chromium's emulation does not (netem is not available on our machines, so no added delay or random
 * loss: only a rate and a queue). Chromium started through `launchChromium()` runs inside it and reaches the host at `hostAddress`.
 * Needs root.
 */
export class ShapedNamespace {
  readonly name: string;
  readonly hostAddress: string;
  readonly namespaceAddress: string;
  readonly #hostLink: string;
  readonly #namespaceLink: string;
  #wrapperDir: string | null = null;
  #closed = false;

  static async create(): Promise<ShapedNamespace> {
    // Per process, so that two benches or tests on one machine never share a namespace or a subnet.
    const id = process.pid % 50_000;
    const shaped = new ShapedNamespace(`jalsa-up${id}`, `10.${200 + (id >> 8) % 50}.${id & 0xff}`, id);
    try {
      await shaped.#setUp();
    } catch (error) {
      await shaped.close();
      throw error;
    }
    return shaped;
  }

  private constructor(name: string, subnet: string, id: number) {
    this.name = name;
    this.hostAddress = `${subnet}.1`;
    this.namespaceAddress = `${subnet}.2`;
    this.#hostLink = `vuh${id}`;
    this.#namespaceLink = `vun${id}`;
  }

  async #setUp(): Promise<void> {
    // A namespace left by a killed run would make `add` fail.
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
    await run('ip', ['link', 'del', this.#hostLink]).catch(() => undefined);
    await run('ip', ['netns', 'add', this.name]);
    await run('ip', ['link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#namespaceLink]);
    await run('ip', ['link', 'set', this.#namespaceLink, 'netns', this.name]);
    await run('ip', ['addr', 'add', `${this.hostAddress}/30`, 'dev', this.#hostLink]);
    await run('ip', ['link', 'set', this.#hostLink, 'up']);
    await this.#inside('ip', ['addr', 'add', `${this.namespaceAddress}/30`, 'dev', this.#namespaceLink]);
    await this.#inside('ip', ['link', 'set', this.#namespaceLink, 'up']);
    await this.#inside('ip', ['link', 'set', 'lo', 'up']);
  }

  /**
   * Limits what the namespace sends (its uplink) to `kbps`; excess waits in a short queue, then is
   * dropped. With `udpKbps`, UDP (WebRTC's media) gets only that much, apart, as when a censor squeezes
   * UDP and leaves TCP its room.
   */
  async shapeUplink(kbps: number, udpKbps?: number): Promise<void> {
    for (const args of shaping(this.#namespaceLink, kbps, udpKbps)) await this.#inside('tc', args);
  }

  /** Limits what the namespace receives (its downlink: the host's side of the pair sends it), as `shapeUplink`. */
  async shapeDownlink(kbps: number, udpKbps?: number): Promise<void> {
    for (const args of shaping(this.#hostLink, kbps, udpKbps)) await run('tc', args);
  }

  /**
   * The server's environment for a test through this namespace: WebRTC on the host's side of the pair,
   * over UDP only (TCP candidates would let a page dodge a squeezed UDP).
   */
  serverEnv(): Record<string, string> {
    return { HOST: '0.0.0.0', RTC_LISTEN_IP: this.hostAddress, RTC_ANNOUNCED_ADDRESS: this.hostAddress, RTC_ENABLE_TCP: 'false' };
  }

  /**
   * Debian's Chromium, started inside the namespace. Pages from `origin` (the server, reached over the
   * shaped link) count as a secure context, as they would over HTTPS: WebRTC needs one.
   */
  async launchChromium(origin: string, extraArgs: string[] = []): Promise<Browser> {
    this.#wrapperDir ??= await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-netns-'));
    const wrapper = path.join(this.#wrapperDir, 'chromium');
    await fs.writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${this.name} /usr/bin/chromium "$@"\n`, { mode: 0o755 });
    return launchChromium([`--unsafely-treat-insecure-origin-as-secure=${origin}`, ...extraArgs], wrapper);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Deleting the namespace deletes the veth pair with it.
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
    await run('ip', ['link', 'del', this.#hostLink]).catch(() => undefined);
    if (this.#wrapperDir) await fs.rm(this.#wrapperDir, { recursive: true, force: true });
  }

  #inside(command: string, args: string[]): Promise<unknown> {
    return run('ip', ['netns', 'exec', this.name, command, ...args]);
  }
}

/**
 * `tc` commands (each an argument list) shaping what `device` sends to `kbps`, with a queue of
 * QUEUE_LATENCY_MS: one tbf; with `udpKbps`, an htb whose UDP class has that rate and the rest `kbps`.
 */
function shaping(device: string, kbps: number, udpKbps?: number): string[][] {
  if (udpKbps === undefined) {
    const bytesPerSecond = (kbps * 1000) / 8;
    // A bucket of a few packets: larger bursts would let a slow link pass a video frame at full speed.
    const burst = Math.max(3_000, Math.round(bytesPerSecond / 50));
    return [['qdisc', 'replace', 'dev', device, 'root', 'tbf', 'rate', `${kbps}kbit`, 'burst', String(burst), 'latency', `${QUEUE_LATENCY_MS}ms`]];
  }
  const leaf = (id: number, rate: number) => [
    ['class', 'replace', 'dev', device, 'parent', '1:', 'classid', `1:${id}`, 'htb', 'rate', `${rate}kbit`, 'quantum', '1514'],
    // A queue of QUEUE_LATENCY_MS at the class's rate, and never less than a full packet.
    ['qdisc', 'replace', 'dev', device, 'parent', `1:${id}`, 'bfifo', 'limit', String(Math.max(1_600, Math.round((rate * QUEUE_LATENCY_MS) / 8)))],
  ];
  return [
    ['qdisc', 'replace', 'dev', device, 'root', 'handle', '1:', 'htb', 'default', '10'],
    ...leaf(10, kbps),
    ...leaf(20, udpKbps),
    ['filter', 'replace', 'dev', device, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:20'],
  ];
}
