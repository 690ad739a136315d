/** Values of the series with this name that carry these labels (and any others), in a Prometheus text exposition. */
export function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) values.push(Number(match[3]));
  }
  return values;
}

/** The one series with this name and these labels; undefined when there is none. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name, labels)[0];
}

export async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/** HLS requests of one file type the origin answered, whatever their status. */
export async function originRequests(url: string, type: 'playlist' | 'segment' | 'init'): Promise<number> {
  return samples(await scrape(url), 'jalsa_hls_origin_requests_total', { type }).reduce((a, b) => a + b, 0);
}
