/** Latencies past this are counted as this: a benchmark that slow has failed whatever the exact figure. */
const MAX_MS = 120_000;

/** Latency counts by whole millisecond: cheap to record at 100k samples a second and to merge across processes. */
export class LatencyHistogram {
  readonly counts: number[];

  constructor(counts: number[] = new Array<number>(MAX_MS + 1).fill(0)) {
    this.counts = counts;
  }

  record(ms: number): void {
    this.counts[Math.min(MAX_MS, Math.max(0, Math.round(ms)))]! += 1;
  }

  /** Non-zero buckets only, for sending between processes. */
  toSparse(): [ms: number, count: number][] {
    return this.counts.flatMap((count, ms) => (count > 0 ? [[ms, count] as [number, number]] : []));
  }

  add(sparse: [ms: number, count: number][]): void {
    for (const [ms, count] of sparse) this.counts[ms]! += count;
  }

  get total(): number {
    return this.counts.reduce((sum, count) => sum + count, 0);
  }

  /** The latency at or below which `fraction` of the samples fall; null without samples. */
  quantile(fraction: number): number | null {
    const target = Math.ceil(this.total * fraction);
    if (target === 0) return null;
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms]!;
      if (seen >= target) return ms;
    }
    return MAX_MS;
  }
}
