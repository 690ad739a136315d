import { z } from 'zod';

/**
 * WHIP (RFC 9725): an encoder such as OBS publishes an event by POSTing its SDP offer to the event's
 * endpoint with the event's organizer key as bearer token, and stops by DELETE on the resource the answer
 * names. What the server and the studio (which shows these settings) agree on.
 */
export const WHIP_CONTENT_TYPE = 'application/sdp';

/**
 * An encoder's offer is a few kilobytes (Chromium's with three simulcast layers is about 6 KB); anything
 * much larger is not an offer worth parsing.
 */
export const WHIP_OFFER_MAX_BYTES = 32 * 1024;

export function whipEndpointPath(slug: string): string {
  return `/whip/${slug}`;
}

export function whipResourcePath(slug: string, sessionId: string): string {
  return `${whipEndpointPath(slug)}/${sessionId}`;
}

/** 128 random bits in hex: the resource URL names the session, never the key. */
export const WhipSessionId = z.string().regex(/^[0-9a-f]{32}$/, 'not a WHIP session');
export type WhipSessionId = z.infer<typeof WhipSessionId>;

/** The body of a WHIP POST: an SDP offer, checked for its form before anything is parsed. */
export const WhipOfferBody = z
  .string()
  .max(WHIP_OFFER_MAX_BYTES, `an SDP offer has at most ${WHIP_OFFER_MAX_BYTES} bytes`)
  .regex(/^v=0\r?\n/, 'the body is not an SDP offer (it must begin with v=0)');
