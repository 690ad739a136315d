import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { renderNginxConfig } from '../../deploy/nginx/renderNginxConfig';
import { waitFor } from './browser';

export interface NginxOptions {
  /** host:port of the Jalsa server behind it. */
  origin: string;
  workerProcesses?: number;
}

/**
 * Debian's nginx running the shipped deploy/nginx/jalsa.conf on a free loopback port, with its pid,
 * logs, temporary files and cache in a directory of its own, as a child of this process.
 */
export class NginxProcess {
  readonly url: string;
  readonly dir: string;
  readonly #process: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(url: string, dir: string, child: ChildProcess) {
    this.url = url;
    this.dir = dir;
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start({ origin, workerProcesses = 1 }: NginxOptions): Promise<NginxProcess> {
    return NginxProcess.serve(
      (listen, dir) =>
        renderNginxConfig({
          origin,
          listen,
          serverName: 'localhost',
          cacheDir: path.join(dir, 'cache'),
          cacheMaxSize: '256m',
          uploadMaxMb: 16,
        }),
      workerProcesses,
    );
  }

  /** Debian's nginx running the server block `render` gives for its listen address and its own directory. */
  static async serve(render: (listen: string, dir: string) => string, workerProcesses = 1): Promise<NginxProcess> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-nginx-'));
    const port = await freePort();
    await fs.writeFile(path.join(dir, 'jalsa.conf'), render(`127.0.0.1:${port}`, dir));
    const main = path.join(dir, 'nginx.conf');
    await fs.writeFile(
      main,
      [
        // As root, nginx's workers would otherwise switch to a user that cannot write this directory.
        process.getuid?.() === 0 ? 'user root;' : '',
        `worker_processes ${workerProcesses};`,
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 4096; }',
        'http {',
        `  access_log ${dir}/access.log;`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
        `  include ${dir}/jalsa.conf;`,
        '}',
      ].join('\n'),
    );
    const child = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', main, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const nginx = new NginxProcess(`http://127.0.0.1:${port}`, dir, child);
    const up = await waitFor(
      () => fetch(`${nginx.url}/healthz`).then((r) => r.status, () => 0),
      (status) => status !== 0 || child.exitCode !== null,
      10_000,
      100,
    );
    if (up === 0) {
      await nginx.close();
      throw new Error(`nginx did not start: ${stderr.trim()}`);
    }
    return nginx;
  }

  close(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGTERM');
    return this.#exited.then(() => fs.rm(this.dir, { recursive: true, force: true }));
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
