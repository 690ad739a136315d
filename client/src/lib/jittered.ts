/**
 * `ms` spread at random over half to one and a half times itself: clients the server turned away
 * together (a busy server refusing newcomers) then come back spread out, not all at once again.
 */
export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.5 + random()));
}
