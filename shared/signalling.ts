import { z } from 'zod';
import { FileBroadcastStatus, OrganizerKey, PublicEvent, Slug } from './events';
import { RtmpIngestStatus } from './rtmp';

/**
 * Media signalling over the Socket.io namespace `/media`.
 * Every client→server message is a request with an acknowledgement ({@link Ack});
 * server→client messages are notifications without one.
 */
export const MEDIA_NAMESPACE = '/media';

const Id = z.string().min(1).max(100);

/** mediasoup validates these objects deeply itself; here we only keep out what is obviously not one. */
const MediaObject = z.looseObject({});

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

export const Role = z.enum(['organizer', 'attendee']);
export type Role = z.infer<typeof Role>;

export const JoinRequest = z.object({
  slug: Slug,
  /** Present only for organizers: the instance organizer key or the event's own key. */
  key: OrganizerKey.optional(),
});
export const JoinResponse = z.object({
  role: Role,
  event: PublicEvent,
  /** Present while the event is live. */
  routerRtpCapabilities: MediaObject.nullable(),
  producers: z.array(z.object({ producerId: Id, kind: MediaKind })),
  /**
   * Whether this attendee may receive over WebRTC now. False when the event's WebRTC seats are all
   * taken: the attendee should play the HLS ladder instead (organizers always get a seat).
   */
  webrtcSeatAvailable: z.boolean(),
  /** A prepared file (or the slate held after it), not the organizer's camera, is the event's media right now. */
  fileBroadcast: FileBroadcastStatus.nullable(),
  /** Live, and the organizer's connection is lost: the server waits for it to come back (see `organizerAway`). */
  organizerAway: z.boolean(),
});

export const CreateTransportRequest = z.object({
  direction: z.enum(['send', 'recv']),
});
export const CreateTransportResponse = z.object({
  id: Id,
  iceParameters: MediaObject,
  iceCandidates: z.array(MediaObject),
  dtlsParameters: MediaObject,
});

export const ConnectTransportRequest = z.object({
  transportId: Id,
  dtlsParameters: MediaObject,
});

export const ProduceRequest = z.object({
  transportId: Id,
  kind: MediaKind,
  rtpParameters: MediaObject,
});
export const ProduceResponse = z.object({ producerId: Id });

/**
 * The client's side of a transport lost its connection (its network changed or dropped): the server
 * gives the transport new ICE credentials, with which the client restarts ICE on the same transport,
 * so its producers and consumers go on as they were.
 */
export const RestartIceRequest = z.object({ transportId: Id });
export const RestartIceResponse = z.object({ iceParameters: MediaObject });

/** The organizer stops sending one of its producers (the camera turned off mid-event). */
export const CloseProducerRequest = z.object({ producerId: Id });

export const ConsumeRequest = z.object({
  producerId: Id,
  rtpCapabilities: MediaObject,
});
export const ConsumeResponse = z.object({
  consumerId: Id,
  producerId: Id,
  kind: MediaKind,
  rtpParameters: MediaObject,
});

export const ResumeConsumerRequest = z.object({ consumerId: Id });

export const SetPreferredLayersRequest = z.object({
  consumerId: Id,
  spatialLayer: z.number().int().min(0).max(2),
  temporalLayer: z.number().int().min(0).max(2).optional(),
});

export const SetAudioOnlyRequest = z.object({ audioOnly: z.boolean() });

export const Empty = z.object({}).strict();

export const GoLiveResponse = z.object({
  event: PublicEvent,
  routerRtpCapabilities: MediaObject,
});

/** Request name → [request schema, response schema]. The server validates both directions. */
export const mediaRequests = {
  join: [JoinRequest, JoinResponse],
  createTransport: [CreateTransportRequest, CreateTransportResponse],
  connectTransport: [ConnectTransportRequest, Empty],
  restartIce: [RestartIceRequest, RestartIceResponse],
  produce: [ProduceRequest, ProduceResponse],
  closeProducer: [CloseProducerRequest, Empty],
  consume: [ConsumeRequest, ConsumeResponse],
  resumeConsumer: [ResumeConsumerRequest, Empty],
  setPreferredLayers: [SetPreferredLayersRequest, Empty],
  setAudioOnly: [SetAudioOnlyRequest, Empty],
  goLive: [Empty, GoLiveResponse],
  endEvent: [Empty, PublicEvent],
} as const;

/** How an attendee is receiving the event right now: the delivery path, or sound only over either. */
export const DeliveryMode = z.enum(['webrtc', 'hls-video', 'audio-only']);
export type DeliveryMode = z.infer<typeof DeliveryMode>;

/**
 * Sent by a joined attendee's player after joining and on every change of mode. HLS viewers never
 * talk to the SFU otherwise: this is how the organizer's dashboard and `/metrics` count them.
 */
export const ReportPlaybackRequest = z.object({ mode: DeliveryMode });

/** Requests about the audience, answered beside the media session rather than by it. */
export const audienceRequests = {
  reportPlayback: [ReportPlaybackRequest, Empty],
} as const;

/** Everything a client may ask on `/media`. */
export const allMediaRequests = { ...mediaRequests, ...audienceRequests };

export type MediaRequestName = keyof typeof allMediaRequests;
export type MediaRequest<N extends MediaRequestName> = z.infer<(typeof allMediaRequests)[N][0]>;
export type MediaResponse<N extends MediaRequestName> = z.infer<(typeof allMediaRequests)[N][1]>;

export const RecordingState = z.enum(['idle', 'running', 'restarting', 'failed', 'stopped']);
export type RecordingState = z.infer<typeof RecordingState>;

const Count = z.number().int().min(0);

/** One organizer producer as the SFU receives it. */
export const IngestStream = z.object({
  kind: MediaKind,
  bitrateBps: z.number().min(0),
  /** Lost since the producer started (RTP sequence gaps). */
  packetsLost: Count,
  /** Share of packets lost in the last RTCP report interval, 0–1. */
  lossFraction: z.number().min(0).max(1),
});
export type IngestStream = z.infer<typeof IngestStream>;

export const EventStats = z.object({
  /** Attendees by how they said they receive (see `reportPlayback`). */
  attendees: z.record(DeliveryMode, Count),
  ingest: z.array(IngestStream),
  packager: RecordingState,
  /** Chat entries (messages and moderation) in the last minute. */
  chatPerMinute: Count,
  /** This server's WebRTC seats, over all its workers. */
  webrtcSeats: z.object({ used: Count, capacity: Count }),
});
export type EventStats = z.infer<typeof EventStats>;

/** Why the server asks a client to join again: its media must be set up anew, or (`eventDeleted`) the join answers that the event is gone. */
export const ReconnectReason = z.enum(['workerDied', 'eventDeleted']);

export const mediaNotifications = {
  eventUpdated: PublicEvent,
  producerAdded: z.object({ producerId: Id, kind: MediaKind }),
  producerClosed: z.object({ producerId: Id }),
  consumerClosed: z.object({ consumerId: Id }),
  consumerLayersChanged: z.object({
    consumerId: Id,
    spatialLayer: z.number().nullable(),
    temporalLayer: z.number().nullable(),
  }),
  consumerScore: z.object({ consumerId: Id, score: z.number(), producerScore: z.number() }),
  reconnect: z.object({ reason: ReconnectReason }),
  /**
   * The organizer's connection was lost while live (`away`), or it is back sending: attendees say the
   * broadcast will resume rather than show an error. The event stays live meanwhile, for a grace period.
   */
  organizerAway: z.object({ away: z.boolean() }),
  /** The HLS packager / recorder of the event: organizers see it in the studio. */
  recordingStateChanged: z.object({ state: RecordingState, message: z.string().nullable() }),
  /** Live figures of the event, sent every few seconds to its organizers only. */
  eventStats: EventStats,
  /** The event's file broadcast started, ended its file (holding the slate, or looping) or stopped: organizers only. */
  fileBroadcastChanged: z.object({ fileBroadcast: FileBroadcastStatus.nullable() }),
  /** An encoder started publishing to the event over RTMP, dropped, or the ingest ended: organizers only. */
  rtmpIngestChanged: z.object({ rtmpIngest: RtmpIngestStatus.nullable() }),
} as const;

export type MediaNotificationName = keyof typeof mediaNotifications;
export type MediaNotification<N extends MediaNotificationName> = z.infer<(typeof mediaNotifications)[N]>;

/** Socket.io typed-event maps shared by the server and the client. */
export type MediaClientToServerEvents = {
  [N in MediaRequestName]: (payload: MediaRequest<N>, ack: (result: import('./errors').Ack<MediaResponse<N>>) => void) => void;
};
export type MediaServerToClientEvents = {
  [N in MediaNotificationName]: (payload: MediaNotification<N>) => void;
};
