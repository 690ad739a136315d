import zlib from 'node:zlib';

export interface ProbeBytes {
  frames: number;
  plain: number;
  deflate: number;
  deflateNoContext: number;
}

/** A WebSocket frame's header from the server: 2 bytes, 4 past 125 bytes of payload (8 past 64 KiB). */
function frameHeader(payloadBytes: number): number {
  return payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10;
}

/**
 * Compresses every frame one connection receives as permessage-deflate would (ws's defaults: raw
 * deflate, 32 KiB window, a sync flush per message whose final 4 bytes are left off), once keeping the
 * context from frame to frame and once starting afresh each time, and adds up the bytes.
 */
export class DeflateProbe {
  readonly #bytes: ProbeBytes = { frames: 0, plain: 0, deflate: 0, deflateNoContext: 0 };
  readonly #deflate = zlib.createDeflateRaw();
  readonly #pending: Buffer[] = [];
  #busy = false;

  frame(data: Buffer): void {
    this.#bytes.frames++;
    this.#bytes.plain += frameHeader(data.length) + data.length;
    const alone = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length - 4;
    this.#bytes.deflateNoContext += frameHeader(alone) + alone;
    this.#pending.push(data);
    this.#pump();
  }

  bytes(): ProbeBytes {
    return { ...this.#bytes };
  }

  /** Frames go through the one stream one after another, as ws compresses them. */
  #pump(): void {
    if (this.#busy) return;
    const data = this.#pending.shift();
    if (!data) return;
    this.#busy = true;
    this.#deflate.write(data);
    this.#deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      const size = ((this.#deflate.read() as Buffer | null)?.length ?? 4) - 4;
      this.#bytes.deflate += frameHeader(size) + size;
      this.#busy = false;
      this.#pump();
    });
  }
}
