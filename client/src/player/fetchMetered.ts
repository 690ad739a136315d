import type { TransferMeter, TransferProgress } from './TransferMeter';

/** A transfer that makes no progress for this long is given up (and retried by its caller), unless it says otherwise. */
const NO_PROGRESS_TIMEOUT_MS = 15_000;

export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';

  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export interface MeteredResponse {
  status: number;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Fetches a whole body while the meter watches its bytes arrive. Rejects on an HTTP error status, on
 * `signal`, and when the body stalls.
 */
export async function fetchMetered(
  url: string,
  meter: TransferMeter,
  { signal, headers, stallMs = NO_PROGRESS_TIMEOUT_MS }: { signal?: AbortSignal; headers?: HeadersInit; stallMs?: number } = {},
): Promise<MeteredResponse> {
  const progress: TransferProgress = { loaded: 0, loading: { start: performance.now(), first: 0, end: 0 } };
  meter.track(progress);
  const stalled = new AbortController();
  let watchdog = setTimeout(() => stalled.abort(), stallMs);
  const combined = signal ? AbortSignal.any([signal, stalled.signal]) : stalled.signal;
  try {
    const response = await fetch(url, { signal: combined, headers: headers ?? {} });
    progress.loading.first = performance.now();
    if (!response.ok) throw new HttpStatusError(response.status);
    const chunks: Uint8Array[] = [];
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      progress.loaded += value.byteLength;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => stalled.abort(), stallMs);
    }
    progress.loading.end = performance.now();
    return { status: response.status, body: concat(chunks, progress.loaded) };
  } catch (error) {
    progress.aborted = true;
    throw error;
  } finally {
    clearTimeout(watchdog);
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
