import http from 'node:http';

/** How an upload ended as the client saw it: an answer, or the connection closed without one. */
export type UploadOutcome = { status: number; body: { error?: { code: string; message: string; reason?: string } } } | { closed: string };

/**
 * A multipart upload whose body the test sends at its own pace — a part now, a trickle, nothing at all —
 * or abandons mid-way, as a slow or vanished client would.
 */
export class RawUpload {
  readonly outcome: Promise<UploadOutcome>;
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

  finish(): void {
    this.send(this.#body.length);
    this.#request.end();
  }

  /** Hangs up mid-body, as a client whose tab closed or whose link died would. */
  abort(): void {
    this.#request.destroy();
  }
}
