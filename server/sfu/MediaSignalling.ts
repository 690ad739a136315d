import type { Namespace } from 'socket.io';
import type {
  MediaClientToServerEvents,
  MediaNotification,
  MediaNotificationName,
  MediaServerToClientEvents,
} from '../../shared/signalling';
import { mediaRequests } from '../../shared/signalling';
import type { EventService } from '../events/EventService';
import { handleSocketRequests } from '../http/handleSocketRequests';
import { TokenBucket } from '../http/TokenBucket';
import type { Logger } from '../logger';
import type { FileBroadcaster } from './FileBroadcaster';
import type { MediaRoom } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import { eventChannel, MediaSession } from './MediaSession';

export type MediaNamespace = Namespace<MediaClientToServerEvents, MediaServerToClientEvents>;

/** Signalling requests need a burst for setting media up, then very few: anything more is abuse. */
const REQUEST_BURST = 40;
const REQUESTS_PER_SECOND = 10;

/**
 * The `/media` namespace: a {@link MediaSession} per connection, and the event-wide notifications
 * (status changes, producers coming and going, reconnect after a worker died).
 */
export class MediaSignalling {
  readonly #namespace: MediaNamespace;
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #logger: Logger;

  constructor(
    namespace: MediaNamespace,
    events: EventService,
    rooms: MediaRoomRegistry,
    fileBroadcasts: FileBroadcaster,
    logger: Logger,
  ) {
    this.#namespace = namespace;
    this.#events = events;
    this.#rooms = rooms;
    this.#logger = logger;
    namespace.on('connection', (socket) => {
      const session = new MediaSession(socket, events, rooms, fileBroadcasts);
      handleSocketRequests(socket, mediaRequests, session.handlers, {
        logger: logger.child({ socket: socket.id }),
        rateLimit: new TokenBucket(REQUEST_BURST, REQUESTS_PER_SECOND),
      });
      socket.on('disconnect', () => session.close());
    });
    events.on('updated', this.#onEventUpdated);
    rooms.on('roomOpened', this.#onRoomOpened);
    rooms.on('roomRecreated', this.#onRoomRecreated);
  }

  /** Tells everyone following an event (attendees and organizer). */
  notify<N extends MediaNotificationName>(slug: string, name: N, payload: MediaNotification<N>): void {
    (this.#namespace.to(eventChannel(slug)).emit as (n: N, p: MediaNotification<N>) => void)(name, payload);
  }

  close(): void {
    this.#events.off('updated', this.#onEventUpdated);
    this.#rooms.off('roomOpened', this.#onRoomOpened);
    this.#rooms.off('roomRecreated', this.#onRoomRecreated);
  }

  readonly #onEventUpdated = (event: Parameters<MediaServerToClientEvents['eventUpdated']>[0]): void => {
    this.#namespace.to(eventChannel(event.slug)).emit('eventUpdated', event);
    if (event.status === 'ended') {
      this.#rooms.close(event.slug).catch((error: unknown) => {
        this.#logger.error({ err: error, slug: event.slug }, 'closing the media room failed');
      });
    }
  };

  readonly #onRoomOpened = (room: MediaRoom): void => {
    const channel = this.#namespace.to(eventChannel(room.slug));
    room.on('producerAdded', (producer) => channel.emit('producerAdded', { producerId: producer.id, kind: producer.kind }));
    room.on('producerClosed', (producerId) => channel.emit('producerClosed', { producerId }));
  };

  readonly #onRoomRecreated = (room: MediaRoom): void => {
    this.#namespace.to(eventChannel(room.slug)).emit('reconnect', { reason: 'workerDied' });
  };
}
