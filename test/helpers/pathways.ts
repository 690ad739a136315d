import { Pathways } from '../../client/src/player/Pathways';
import type { Mirror } from '../../shared/mirrors';
import { steeringManifest } from '../../shared/steering';

/** A page's `Pathways` at `origin` that has read event rally-1's steering manifest (at `at` ms). */
export function steeredPathways(origin: string, mirrors: Mirror[], priority: string[], at = 0): Pathways {
  const pathways = new Pathways(origin);
  pathways.steer(steeringManifest('rally-1', mirrors, priority), at);
  return pathways;
}
