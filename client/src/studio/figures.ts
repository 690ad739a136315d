/** How the studio writes its live figures, the same everywhere. */
export function kbps(bps: number): string {
  return `${Math.round(bps / 1000)} kbps`;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.01 ? 1 : 0)} %`;
}
