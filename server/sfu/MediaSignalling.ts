import type { Namespace } from 'socket.io';
import type {
  MediaClientToServerEvents,
  MediaNotification,
  MediaNotificationName,
  MediaServerToClientEvents,
} from '../../shared/signalling';
import { isOver } from '../../shared/events';
import { audienceRequests, mediaRequests } from '../../shared/signalling';
import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import type { EventAudience } from '../metrics/EventAudience';
import { EventMembership, NamespaceMemberships } from '../realtime/EventMembership';
import { handleSocketRequests } from '../realtime/handleSocketRequests';
import type { JoinAdmission } from '../realtime/ServerAdmission';
import { TokenBucket } from '../realtime/TokenBucket';
import type { FileBroadcaster } from './FileBroadcaster';
import type { MediaRoom, ProducerInfo } from './MediaRoom';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import type { OrganizerAbsence } from './OrganizerAbsence';
import { eventChannel, mediaChannels, MediaSession, organizerChannel, type EncoderIngest } from './MediaSession';

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
  readonly #memberships: NamespaceMemberships;
  readonly #absence: OrganizerAbsence;
  readonly #logger: Logger;

  constructor(
    namespace: MediaNamespace,
    events: EventService,
    rooms: MediaRoomRegistry,
    fileBroadcasts: FileBroadcaster,
    encoders: EncoderIngest,
    audience: EventAudience,
    admission: JoinAdmission,
    absence: OrganizerAbsence,
    logger: Logger,
  ) {
    this.#namespace = namespace;
    this.#events = events;
    this.#rooms = rooms;
    this.#logger = logger;
    this.#memberships = new NamespaceMemberships(events);
    namespace.on('connection', (socket) => {
      // Socket.io gives a recovered connection its channels back, but not its session: it hears
      // nothing (an organizer's figures least of all, its key may have been revoked meanwhile) until
      // it joins again, as clients do on every reconnection.
      if (socket.recovered) for (const channel of socket.rooms) if (channel !== socket.id) void socket.leave(channel);
      const membership = new EventMembership(socket, events, {
        channels: mediaChannels,
        entered: ({ slug, role }) => audience.joined(socket.id, slug, role),
      });
      this.#memberships.add(membership);
      const session = new MediaSession(socket, membership, events, rooms, fileBroadcasts, encoders, admission, absence);
      const options = {
        logger: logger.child({ socket: socket.id }),
        rateLimit: new TokenBucket(REQUEST_BURST, REQUESTS_PER_SECOND),
      };
      handleSocketRequests(socket, mediaRequests, session.handlers, options);
      handleSocketRequests(socket, audienceRequests, {
        reportPlayback: ({ mode }) => {
          audience.reportPlayback(socket.id, mode);
          return {};
        },
      }, options);
      socket.on('disconnect', () => {
        this.#memberships.delete(membership);
        session.close();
        audience.left(socket.id);
      });
    });
    events.on('updated', this.#onEventUpdated);
    events.on('deleted', this.#onEventDeleted);
    rooms.on('producerAdded', this.#onProducerAdded);
    rooms.on('producerClosed', this.#onProducerClosed);
    rooms.on('roomRecreated', this.#onRoomRecreated);
    this.#absence = absence;
    absence.on('changed', this.#onOrganizerAway);
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
    this.#memberships.close();
    this.#events.off('updated', this.#onEventUpdated);
    this.#events.off('deleted', this.#onEventDeleted);
    this.#rooms.off('producerAdded', this.#onProducerAdded);
    this.#rooms.off('producerClosed', this.#onProducerClosed);
    this.#rooms.off('roomRecreated', this.#onRoomRecreated);
    this.#absence.off('changed', this.#onOrganizerAway);
  }

  #emit<N extends MediaNotificationName>(channel: string, name: N, payload: MediaNotification<N>): void {
    (this.#namespace.to(channel).emit as (n: N, p: MediaNotification<N>) => void)(name, payload);
  }

  readonly #onEventUpdated = (event: Parameters<MediaServerToClientEvents['eventUpdated']>[0]): void => {
    this.#namespace.to(eventChannel(event.slug)).emit('eventUpdated', event);
    if (isOver(event.status)) {
      this.#rooms.close(event.slug).catch((error: unknown) => {
        this.#logger.error({ err: error, slug: event.slug }, 'closing the media room failed');
      });
    }
  };

  /** Their join again is answered "not found": the watch page and the studio say the event is gone. */
  readonly #onEventDeleted = (slug: string): void => {
    this.#namespace.to(eventChannel(slug)).emit('reconnect', { reason: 'eventDeleted' });
  };

  readonly #onProducerAdded = (slug: string, producer: ProducerInfo): void => this.notify(slug, 'producerAdded', producer);

  readonly #onProducerClosed = (slug: string, producerId: string): void => this.notify(slug, 'producerClosed', { producerId });

  readonly #onOrganizerAway = (slug: string, away: boolean): void => this.notify(slug, 'organizerAway', { away });

  readonly #onRoomRecreated = (room: MediaRoom): void => {
    this.#namespace.to(eventChannel(room.slug)).emit('reconnect', { reason: 'workerDied' });
  };
}
