import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

/** Names of the files the server holds for an event's uploads, at any depth (partial ones included). */
export async function uploadedFiles(dataDir: string, slug: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(dataDir, 'uploads', slug), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** How an upload ended as the client saw it: an answer, or the connection closed without one. */
export type UploadOutcome = { status: number; body: { error?: { code: string; message: string; reason?: string } } } | { closed: string };

/**
 * A multipart upload whose body the test sends at its own pace — a part now, a trickle, nothing at all —
 * or abandons mid-way, as a slow or vanished client would.
 */
export class RawUpload {
  readonly outcome: Promise<UploadOutcome>;
  /** Resolves when the connection has closed, whoever closed it. */
  readonly closed: Promise<void>;
  readonly #request: http.ClientRequest;
  readonly #body: Buffer;
  #sent = 0;

  constructor(url: string, key: string, files: Record<string, Buffer>) {
    const boundary = `----jalsa${Math.random().toString(16).slice(2)}`;
    const parts = Object.entries(files).flatMap(([field, content]) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${field}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from('\r\n'),
    ]);
    this.#body = Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
    this.#request = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    this.outcome = new Promise((resolve) => {
      this.#request.once('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
        response.once('error', (error) => resolve({ closed: error.message }));
      });
      this.#request.once('error', (error) => resolve({ closed: error.message }));
      this.#request.once('close', () => resolve({ closed: 'closed' }));
    });
    this.closed = new Promise((resolve) => this.#request.once('socket', (socket) => socket.once('close', () => resolve())));
    this.#request.on('error', () => undefined);
    this.#request.flushHeaders();
  }

  get size(): number {
    return this.#body.length;
  }

  /** Sends the next `bytes` of the body (at most what is left). */
  send(bytes: number): void {
    const end = Math.min(this.#body.length, this.#sent + bytes);
    if (end > this.#sent) this.#request.write(this.#body.subarray(this.#sent, end));
    this.#sent = end;
  }

  /** Sends the rest of the body, `chunks` pieces `gapMs` apart, and ends the request. */
  async trickle(chunks: number, gapMs: number): Promise<void> {
    const piece = Math.ceil((this.#body.length - this.#sent) / chunks);
    for (let i = 0; i < chunks; i += 1) {
      this.send(piece);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    this.finish();
  }

  /** Sends a byte every `gapMs` until the connection closes, as a slow-drip attacker would. */
  async drip(gapMs: number): Promise<void> {
    let open = true;
    void this.closed.then(() => (open = false));
    while (open && this.#sent < this.#body.length - 1) {
      this.send(1);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  }

  finish(): void {
    this.send(this.#body.length);
    this.#request.end();
  }

  /** Hangs up mid-body, as a client whose tab closed or whose link died would. */
  abort(): void {
    this.#request.destroy();
  }
}
