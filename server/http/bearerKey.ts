import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { OrganizerKey } from '../../shared/events';

const BEARER = /^Bearer (\S+)$/;

/** The bearer key of a request, or undefined when absent or malformed. */
export function bearerKey(req: Request): string | undefined {
  const match = BEARER.exec(req.get('authorization') ?? '');
  const key = OrganizerKey.safeParse(match?.[1]);
  return key.success ? key.data : undefined;
}

/**
 * Whether the request carries `secret` as its bearer token, in a time that says nothing of how much of
 * it was right: both sides are hashed first, so neither their first differing byte nor their lengths show.
 */
export function hasBearerSecret(req: Request, secret: string): boolean {
  const sent = BEARER.exec(req.get('authorization') ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(sent), digest(secret));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
