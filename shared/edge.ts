import { z } from 'zod';
import { Slug } from './events';
import { MediaKind } from './signalling';

/**
 * Origin ↔ edge SFU links over Socket.io namespace `/edge`, authenticated with the cluster key in the
 * handshake. An edge hears an event's notifications on `/media` like any attendee; this namespace
 * only sets up the mediasoup PipeTransport that carries the media between the two hosts.
 */
export const EDGE_NAMESPACE = '/edge';

const Port = z.number().int().min(1).max(65_535);
const Address = z.string().min(1).max(255);

export const OpenPipeRequest = z.object({ slug: Slug, ip: Address, port: Port });
export const OpenPipeResponse = z.object({ ip: Address, port: Port });

export const EdgeConsumeRequest = z.object({ slug: Slug, producerId: z.string().min(1).max(100) });
export const EdgeConsumeResponse = z.object({
  producerId: z.string(),
  kind: MediaKind,
  rtpParameters: z.looseObject({}),
  paused: z.boolean(),
});

export const edgeRequests = {
  openPipe: [OpenPipeRequest, OpenPipeResponse],
  consume: [EdgeConsumeRequest, EdgeConsumeResponse],
} as const;

export const EdgeHandshake = z.object({ clusterKey: z.string().min(20).max(200) });
