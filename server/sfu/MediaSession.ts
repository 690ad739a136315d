import type { Socket } from 'socket.io';
import type { types } from 'mediasoup';
import type {
  MediaClientToServerEvents,
  MediaNotification,
  MediaNotificationName,
  MediaServerToClientEvents,
  Role,
} from '../../shared/signalling';
import { mediaRequests } from '../../shared/signalling';
import { ForbiddenError, InvalidStateError, NotLiveError, UnauthorizedError } from '../errors';
import type { EventService } from '../events/EventService';
import type { RequestHandlers } from '../realtime/handleSocketRequests';
import type { FileBroadcaster } from './FileBroadcaster';
import { MediaPeer } from './MediaPeer';
import type { MediaRoomRegistry } from './MediaRoomRegistry';

export type MediaSocket = Socket<MediaClientToServerEvents, MediaServerToClientEvents>;

/** The Socket.io room that hears an event's notifications. */
export function eventChannel(slug: string): string {
  return `event:${slug}`;
}

/**
 * One signalling connection: which event it joined, in which role, and its media peer. Its methods
 * are the request handlers; validation has already happened by the time they run.
 */
export class MediaSession {
  readonly #socket: MediaSocket;
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #fileBroadcasts: FileBroadcaster;
  #slug: string | undefined;
  #role: Role = 'attendee';
  #peer: MediaPeer | undefined;

  constructor(
    socket: MediaSocket,
    events: EventService,
    rooms: MediaRoomRegistry,
    fileBroadcasts: FileBroadcaster,
  ) {
    this.#socket = socket;
    this.#events = events;
    this.#rooms = rooms;
    this.#fileBroadcasts = fileBroadcasts;
  }

  readonly handlers: RequestHandlers<typeof mediaRequests> = {
    join: async ({ slug, key }) => {
      if (this.#events.isMirror && key !== undefined) {
        throw new UnauthorizedError('organizers connect to the origin server, not an edge');
      }
      await this.#events.ensure(slug);
      const event = this.#events.get(slug);
      if (key !== undefined && !this.#events.isOrganizer(slug, key)) throw new UnauthorizedError();
      this.close();
      if (this.#slug && this.#slug !== slug) await this.#socket.leave(eventChannel(this.#slug));
      this.#slug = slug;
      this.#role = key === undefined ? 'attendee' : 'organizer';
      await this.#socket.join(eventChannel(slug));
      const fileBroadcast = this.#fileBroadcasts.isRunning(slug);
      if (event.status !== 'live') {
        return { role: this.#role, event, routerRtpCapabilities: null, producers: [], webrtcSeatAvailable: true, fileBroadcast };
      }
      const peer = await this.#ensurePeer();
      return {
        role: this.#role,
        event,
        routerRtpCapabilities: peer.room.rtpCapabilities,
        producers: peer.room.producers(),
        webrtcSeatAvailable: this.#role === 'organizer' || peer.room.seatAvailable,
        fileBroadcast,
      };
    },
    goLive: async () => {
      const slug = this.#organizerSlug();
      const event = this.#events.goLive(slug);
      const peer = await this.#ensurePeer();
      return { event, routerRtpCapabilities: peer.room.rtpCapabilities };
    },
    endEvent: () => this.#events.end(this.#organizerSlug()),
    createTransport: ({ direction }) => this.#livePeer().createTransport(direction),
    connectTransport: async ({ transportId, dtlsParameters }) => {
      await this.#livePeer().connectTransport(transportId, dtlsParameters as unknown as types.DtlsParameters);
      return {};
    },
    produce: ({ transportId, kind, rtpParameters }) => {
      // The camera would silently replace the file's media: the organizer stops the file first.
      if (this.#slug && this.#fileBroadcasts.isRunning(this.#slug)) {
        throw new InvalidStateError('a prepared file is being broadcast; stop it to use the camera');
      }
      return this.#livePeer().produce(transportId, kind, rtpParameters as unknown as types.RtpParameters);
    },
    consume: ({ producerId, rtpCapabilities }) =>
      this.#livePeer().consume(producerId, rtpCapabilities as types.RtpCapabilities),
    resumeConsumer: async ({ consumerId }) => {
      await this.#livePeer().resumeConsumer(consumerId);
      return {};
    },
    setPreferredLayers: async ({ consumerId, spatialLayer, temporalLayer }) => {
      await this.#livePeer().setPreferredLayers(consumerId, spatialLayer, temporalLayer);
      return {};
    },
    setAudioOnly: async ({ audioOnly }) => {
      await this.#livePeer().setAudioOnly(audioOnly);
      return {};
    },
  };

  close(): void {
    this.#peer?.close();
    this.#peer = undefined;
  }

  readonly #notify = <N extends MediaNotificationName>(name: N, payload: MediaNotification<N>): void => {
    (this.#socket.emit as (n: N, p: MediaNotification<N>) => void)(name, payload);
  };

  async #ensurePeer(): Promise<MediaPeer> {
    const room = await this.#rooms.getOrCreate(this.#slug!);
    if (this.#peer && !this.#peer.closed && this.#peer.room === room) return this.#peer;
    this.#peer?.close();
    this.#peer = new MediaPeer(room, this.#role, this.#notify);
    return this.#peer;
  }

  #livePeer(): MediaPeer {
    if (!this.#peer || this.#peer.closed || this.#peer.room.closed) throw new NotLiveError();
    return this.#peer;
  }

  #organizerSlug(): string {
    if (!this.#slug || this.#role !== 'organizer') throw new ForbiddenError();
    return this.#slug;
  }
}
