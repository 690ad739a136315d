import type { Judgement, LinkVerdict } from '../../client/src/player/ModeController';

/** A verdict as the bandwidth estimate gives it, without figures. */
export function estimated(verdict: LinkVerdict | null): Judgement {
  return { verdict, rule: 'estimate', detail: '' };
}
