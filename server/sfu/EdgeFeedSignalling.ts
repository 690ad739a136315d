import crypto from 'node:crypto';
import type { Namespace } from 'socket.io';
import { EdgeHandshake, edgeRequests } from '../../shared/edge';
import { InvalidStateError, NotLiveError } from '../errors';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { handleSocketRequests } from '../realtime/handleSocketRequests';
import { TokenBucket } from '../realtime/TokenBucket';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import type { PipeSettings, RoomPipe } from './RoomPipe';

/**
 * The origin's side of edge SFUs: on `/edge`, an edge that proves the cluster key gets a
 * PipeTransport into an event's origin router and consumes its producers through it.
 */
export class EdgeFeedSignalling {
  constructor(
    namespace: Namespace,
    clusterKey: string,
    events: EventService,
    rooms: MediaRoomRegistry,
    pipe: PipeSettings,
    logger: Logger,
  ) {
    const expected = crypto.createHash('sha256').update(clusterKey).digest();
    namespace.use((socket, next) => {
      const handshake = EdgeHandshake.safeParse(socket.handshake.auth);
      const given = handshake.success ? crypto.createHash('sha256').update(handshake.data.clusterKey).digest() : undefined;
      if (given && crypto.timingSafeEqual(given, expected)) next();
      else next(new Error('unauthorized'));
    });
    namespace.on('connection', (socket) => {
      const pipes = new Map<string, RoomPipe>();
      handleSocketRequests(
        socket,
        edgeRequests,
        {
          openPipe: async ({ slug, ip, port }) => {
            if (events.get(slug).status !== 'live') throw new NotLiveError();
            const room = await rooms.getOrCreate(slug);
            pipes.get(slug)?.close();
            const opened = await room.openPipe(pipe);
            pipes.set(slug, opened);
            await opened.connect({ ip, port });
            return opened.local;
          },
          consume: async ({ slug, producerId }) => {
            const opened = pipes.get(slug);
            if (!opened || opened.closed) throw new InvalidStateError('open a pipe first');
            return opened.consume(producerId);
          },
        },
        // An edge sets up two producers per event it relays: a generous bucket, still not a flood.
        { logger: logger.child({ edge: socket.id }), rateLimit: new TokenBucket(200, 50) },
      );
      socket.on('disconnect', () => {
        for (const opened of pipes.values()) opened.close();
      });
    });
  }
}
