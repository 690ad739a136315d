import type { Request } from 'express';
import { OrganizerKey } from '../../shared/events';

/** The bearer key of a request, or undefined when absent or malformed. */
export function bearerKey(req: Request): string | undefined {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  const key = OrganizerKey.safeParse(match?.[1]);
  return key.success ? key.data : undefined;
}
