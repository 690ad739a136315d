import type { Namespace } from 'socket.io';
import type {
  MediaClientToServerEvents,
  MediaNotification,
  MediaNotificationName,
  MediaRequest,
  MediaServerToClientEvents,
} from '../../shared/signalling';
import { audienceRequests, mediaRequests } from '../../shared/signalling';
import type { EventService } from '../events/EventService';
import { handleSocketRequests } from '../realtime/handleSocketRequests';
import { TokenBucket } from '../realtime/TokenBucket';
import type { Logger } from '../logger';
import type { EventAudience } from '../metrics/EventAudience';
import type { FileBroadcaster } from './FileBroadcaster';
import type { MediaRoom, ProducerInfo } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import { eventChannel, MediaSession, type MediaSocket } from './MediaSession';

export type MediaNamespace = Namespace<MediaClientToServerEvents, MediaServerToClientEvents>;

/** Signalling requests need a burst for setting media up, then very few: anything more is abuse. */
const REQUEST_BURST = 40;
const REQUESTS_PER_SECOND = 10;

/** The Socket.io room of an event's organizers: live figures go to them only. */
function organizerChannel(slug: string): string {
  return `organizers:${slug}`;
}

/**
 * The `/media` namespace: a {@link MediaSession} per connection, and the event-wide notifications
 * (status changes, producers coming and going, reconnect after a worker died).
 */
export class MediaSignalling {
  readonly #namespace: MediaNamespace;
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #audience: EventAudience;
  readonly #logger: Logger;

  constructor(
    namespace: MediaNamespace,
    events: EventService,
    rooms: MediaRoomRegistry,
    fileBroadcasts: FileBroadcaster,
    audience: EventAudience,
    logger: Logger,
  ) {
    this.#namespace = namespace;
    this.#events = events;
    this.#rooms = rooms;
    this.#audience = audience;
    this.#logger = logger;
    namespace.on('connection', (socket) => {
      const session = new MediaSession(socket, events, rooms, fileBroadcasts);
      const options = {
        logger: logger.child({ socket: socket.id }),
        rateLimit: new TokenBucket(REQUEST_BURST, REQUESTS_PER_SECOND),
      };
      handleSocketRequests(
        socket,
        mediaRequests,
        { ...session.handlers, join: (request) => this.#join(socket, session, request) },
        options,
      );
      handleSocketRequests(socket, audienceRequests, {
        reportPlayback: ({ mode }) => {
          audience.reportPlayback(socket.id, mode);
          return {};
        },
      }, options);
      socket.on('disconnect', () => {
        session.close();
        audience.left(socket.id);
      });
    });
    events.on('updated', this.#onEventUpdated);
    rooms.on('producerAdded', this.#onProducerAdded);
    rooms.on('producerClosed', this.#onProducerClosed);
    rooms.on('roomRecreated', this.#onRoomRecreated);
  }

  /** Tells everyone following an event (attendees and organizer). */
  notify<N extends MediaNotificationName>(slug: string, name: N, payload: MediaNotification<N>): void {
    this.#emit(eventChannel(slug), name, payload);
  }

  /** Tells the organizers of an event connected here, and nobody else. */
  notifyOrganizers<N extends MediaNotificationName>(slug: string, name: N, payload: MediaNotification<N>): void {
    this.#emit(organizerChannel(slug), name, payload);
  }

  close(): void {
    this.#events.off('updated', this.#onEventUpdated);
    this.#rooms.off('producerAdded', this.#onProducerAdded);
    this.#rooms.off('producerClosed', this.#onProducerClosed);
    this.#rooms.off('roomRecreated', this.#onRoomRecreated);
  }

  #emit<N extends MediaNotificationName>(channel: string, name: N, payload: MediaNotification<N>): void {
    (this.#namespace.to(channel).emit as (n: N, p: MediaNotification<N>) => void)(name, payload);
  }

  /** The session decides the role; the audience and the organizers' channel follow what it decided. */
  async #join(socket: MediaSocket, session: MediaSession, request: MediaRequest<'join'>) {
    const joined = await session.handlers.join(request);
    // Gone while joining: its disconnect already cleared what it had.
    if (socket.disconnected) return joined;
    const previous = this.#audience.member(socket.id);
    if (previous?.role === 'organizer') await socket.leave(organizerChannel(previous.slug));
    this.#audience.joined(socket.id, request.slug, joined.role);
    if (joined.role === 'organizer') await socket.join(organizerChannel(request.slug));
    return joined;
  }

  readonly #onEventUpdated = (event: Parameters<MediaServerToClientEvents['eventUpdated']>[0]): void => {
    this.#namespace.to(eventChannel(event.slug)).emit('eventUpdated', event);
    if (event.status === 'ended') {
      this.#rooms.close(event.slug).catch((error: unknown) => {
        this.#logger.error({ err: error, slug: event.slug }, 'closing the media room failed');
      });
    }
  };

  readonly #onProducerAdded = (slug: string, producer: ProducerInfo): void => this.notify(slug, 'producerAdded', producer);

  readonly #onProducerClosed = (slug: string, producerId: string): void => this.notify(slug, 'producerClosed', { producerId });

  readonly #onRoomRecreated = (room: MediaRoom): void => {
    this.#namespace.to(eventChannel(room.slug)).emit('reconnect', { reason: 'workerDied' });
  };
}
