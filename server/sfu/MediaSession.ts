import type { Socket } from 'socket.io';
import type { types } from 'mediasoup';
import type {
  MediaClientToServerEvents,
  MediaNotification,
  MediaNotificationName,
  MediaServerToClientEvents,
} from '../../shared/signalling';
import { mediaRequests } from '../../shared/signalling';
import { InvalidStateError, NotLiveError } from '../errors';
import type { EventService } from '../events/EventService';
import type { EventMembership, Membership } from '../realtime/EventMembership';
import type { RequestHandlers } from '../realtime/handleSocketRequests';
import type { JoinAdmission } from '../realtime/ServerAdmission';
import { TokenBucket } from '../realtime/TokenBucket';
import type { FileBroadcaster } from './FileBroadcaster';
import { MediaPeer } from './MediaPeer';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import type { OrganizerAbsence } from './OrganizerAbsence';

export type MediaSocket = Socket<MediaClientToServerEvents, MediaServerToClientEvents>;

/**
 * Receive transports an attendee's connection may make at once, then one per this many seconds. A player
 * makes one per watch (another after a worker died); one that cannot connect plays HLS instead.
 */
const RECEIVE_TRANSPORT_BURST = 3;
const RECEIVE_TRANSPORTS_PER_SECOND = 1 / 30;

/** Whether an encoder (OBS, over WHIP) is publishing an event: the studio's camera must not replace it. */
export interface EncoderIngest {
  hasConnectedEncoder(slug: string): boolean;
}

/** The Socket.io room that hears an event's notifications. */
export function eventChannel(slug: string): string {
  return `event:${slug}`;
}

/** The Socket.io room of an event's organizers: live figures go to them only. */
export function organizerChannel(slug: string): string {
  return `organizers:${slug}`;
}

/** Everyone following an event hears its notifications; its organizers also their own. */
export function mediaChannels({ slug, role }: Membership): string[] {
  return role === 'organizer' ? [eventChannel(slug), organizerChannel(slug)] : [eventChannel(slug)];
}

/**
 * One signalling connection: its membership of an event (which, as whom) and its media peer. Its
 * methods are the request handlers; validation has already happened by the time they run.
 */
export class MediaSession {
  readonly #socket: MediaSocket;
  readonly #membership: EventMembership;
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #fileBroadcasts: FileBroadcaster;
  readonly #encoders: EncoderIngest;
  readonly #admission: JoinAdmission;
  readonly #absence: OrganizerAbsence;
  #peer: MediaPeer | undefined;
  /** Kept by the connection, not the peer: joining again must not buy a fresh allowance. */
  readonly #receiveTransports = new TokenBucket(RECEIVE_TRANSPORT_BURST, RECEIVE_TRANSPORTS_PER_SECOND);

  constructor(
    socket: MediaSocket,
    membership: EventMembership,
    events: EventService,
    rooms: MediaRoomRegistry,
    fileBroadcasts: FileBroadcaster,
    encoders: EncoderIngest,
    admission: JoinAdmission,
    absence: OrganizerAbsence,
  ) {
    this.#socket = socket;
    this.#membership = membership;
    this.#events = events;
    this.#rooms = rooms;
    this.#fileBroadcasts = fileBroadcasts;
    this.#encoders = encoders;
    this.#admission = admission;
    this.#absence = absence;
  }

  readonly handlers: RequestHandlers<typeof mediaRequests> = {
    join: async ({ slug, key }) => {
      // An attendee waits its turn before any work. A join with a key does not: the organizer must never queue
      // behind a crowd, and a wrong key is refused at once by admit(), from the key's hash.
      if (key === undefined) this.#admission.admitJoin();
      const { event, membership } = await this.#membership.admit(slug, key);
      this.#closePeer();
      await this.#membership.enter(membership);
      const { role } = membership;
      const fileBroadcast = this.#fileBroadcasts.status(slug);
      if (event.status !== 'live') {
        return {
          role,
          event,
          routerRtpCapabilities: null,
          producers: [],
          webrtcSeatAvailable: true,
          fileBroadcast,
          organizerAway: false,
        };
      }
      const peer = await this.#ensurePeer(membership);
      return {
        role,
        event,
        routerRtpCapabilities: peer.room.rtpCapabilities,
        producers: peer.room.producers(),
        webrtcSeatAvailable: role === 'organizer' || peer.room.seatAvailable,
        fileBroadcast,
        organizerAway: this.#absence.isAway(slug),
      };
    },
    goLive: async () => {
      const organizer = this.#membership.organizer();
      const event = this.#events.goLive(organizer.slug);
      const peer = await this.#ensurePeer(organizer);
      return { event, routerRtpCapabilities: peer.room.rtpCapabilities };
    },
    endEvent: () => this.#events.end(this.#membership.organizer().slug),
    createTransport: ({ direction }) => this.#livePeer().createTransport(direction),
    connectTransport: async ({ transportId, dtlsParameters }) => {
      await this.#livePeer().connectTransport(transportId, dtlsParameters as unknown as types.DtlsParameters);
      return {};
    },
    restartIce: ({ transportId }) => this.#livePeer().restartIce(transportId),
    produce: ({ transportId, kind, rtpParameters }) => {
      // Asked again at every produce: the key that admitted the organizer may have been revoked since.
      const { slug } = this.#membership.organizer();
      // The camera would silently replace the file's media: the organizer stops the file first.
      if (this.#fileBroadcasts.isRunning(slug)) {
        throw new InvalidStateError('a prepared file is being broadcast; stop it to use the camera');
      }
      // Nor the encoder's: a studio opened (or reconnecting) during an OBS broadcast must not cut it off.
      if (this.#encoders.hasConnectedEncoder(slug)) {
        throw new InvalidStateError('an encoder (OBS) is publishing this event over WHIP; stop the stream there to use the camera');
      }
      return this.#livePeer().produce(transportId, kind, rtpParameters as unknown as types.RtpParameters);
    },
    closeProducer: async ({ producerId }) => {
      this.#membership.organizer();
      this.#livePeer().closeProducer(producerId);
      return {};
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

  /** The connection is gone: its peer closes and it follows no event any more. */
  close(): void {
    this.#closePeer();
    void this.#membership.leave();
  }

  #closePeer(): void {
    this.#peer?.close();
    this.#peer = undefined;
  }

  readonly #notify = <N extends MediaNotificationName>(name: N, payload: MediaNotification<N>): void => {
    (this.#socket.emit as (n: N, p: MediaNotification<N>) => void)(name, payload);
  };

  async #ensurePeer(membership: Membership): Promise<MediaPeer> {
    const room = await this.#rooms.getOrCreate(membership.slug);
    // Replaced while the room opened (a later join, or the disconnect): a peer now would belong to nobody.
    if (!this.#membership.holds(membership)) throw new InvalidStateError('a later join replaced this one');
    if (this.#peer && !this.#peer.closed && this.#peer.room === room) return this.#peer;
    this.#peer?.close();
    // An organizer's connection is its presence: the event waits for it when it drops (OrganizerAbsence).
    const link = membership.role === 'organizer' ? this.#absence.arrive(membership.slug) : undefined;
    this.#peer = new MediaPeer(room, membership.role, this.#notify, this.#receiveTransports, link);
    return this.#peer;
  }

  #livePeer(): MediaPeer {
    if (!this.#peer || this.#peer.closed || this.#peer.room.closed) throw new NotLiveError();
    return this.#peer;
  }
}
