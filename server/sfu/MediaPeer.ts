import type { types } from 'mediasoup';
import type { MediaNotification, MediaNotificationName, Role } from '../../shared/signalling';
import { BadRequestError, ForbiddenError, InvalidStateError, NotFoundError, RateLimitedError } from '../errors';
import type { TokenBucket } from '../realtime/TokenBucket';
import type { MediaRoom, ReceiveTransport } from './MediaRoom';
import type { OrganizerLink } from './OrganizerAbsence';

export type Notify = <N extends MediaNotificationName>(name: N, payload: MediaNotification<N>) => void;

type Direction = 'send' | 'recv';

/**
 * One connection's media in one room: at most one transport per direction, the organizer's producers,
 * and an attendee's consumers (at most one per producer) with their audio-only and layer preferences.
 * Each of these is a cost on the server (a seat, outgoing bandwidth): a client asking for more gets an
 * error, never another one.
 */
export class MediaPeer {
  readonly room: MediaRoom;
  readonly role: Role;
  readonly #notify: Notify;
  readonly #receiveTransports: TokenBucket;
  readonly #transports = new Map<Direction, types.WebRtcTransport>();
  /** Directions whose transport is being made: a second request meanwhile would take a second seat. */
  readonly #creating = new Set<Direction>();
  readonly #consumers = new Map<string, types.Consumer>();
  /** The organizer's producers on this peer's send transport (they close with it). */
  readonly #producers = new Map<string, types.Producer>();
  /** Producers this peer consumes or is about to: consuming one twice would double what it is sent. */
  readonly #consumed = new Set<string>();
  /** Video consumers the client asked to resume; they stay paused while audio-only is on. */
  readonly #wantsResumed = new Set<string>();
  #audioOnly = false;
  #closed = false;
  /**
   * Where this peer's receive transport lives (which may be another worker than the origin), and how it
   * takes its seat when one was not taken yet.
   */
  #receiving: Pick<ReceiveTransport, 'router' | 'takeSeat'> | undefined;
  readonly #link: OrganizerLink | undefined;

  /**
   * @param receiveTransports the attendee's allowance of receive transports. Each is real work for the
   *   SFU (ports, a DTLS identity, consumers) and holds a seat until it connects or times out: one remade
   *   every few seconds would squat a seat for ever and keep the worker busy.
   */
  /**
   * @param link an organizer's presence in the event: its send transport's ICE going quiet (the network
   *   dropped) counts as the organizer being away until it connects again; the peer's close, as leaving.
   */
  constructor(room: MediaRoom, role: Role, notify: Notify, receiveTransports: TokenBucket, link?: OrganizerLink) {
    this.room = room;
    this.role = role;
    this.#notify = notify;
    this.#receiveTransports = receiveTransports;
    this.#link = link;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get audioOnly(): boolean {
    return this.#audioOnly;
  }

  async createTransport(direction: Direction) {
    this.#assertOpen();
    if (direction === 'send') this.#assertOrganizer();
    if (this.#creating.has(direction)) throw new InvalidStateError(`a ${direction} transport is already being made`);
    if (direction === 'recv' && this.role === 'attendee' && !this.#receiveTransports.take()) {
      throw new RateLimitedError('receive transports are made once per watch; play the HLS stream if WebRTC fails');
    }
    // A client that asks again (e.g. after an ICE failure) gets a fresh transport, never a pile of them.
    this.#transports.get(direction)?.close();
    this.#creating.add(direction);
    let made: { transport: types.WebRtcTransport; router?: types.Router; takeSeat?: () => void };
    try {
      made = direction === 'send'
        ? { transport: await this.room.createSendTransport() }
        : await this.room.createReceiveTransport(this.role === 'attendee');
    } finally {
      this.#creating.delete(direction);
    }
    const { transport, router, takeSeat } = made;
    transport.observer.once('close', () => {
      if (this.#transports.get(direction) === transport) this.#transports.delete(direction);
    });
    // The connection left (or the room closed) while the transport was made: nobody would ever close it.
    if (this.#closed || this.room.closed) {
      transport.close();
      this.#assertOpen();
    }
    this.#transports.set(direction, transport);
    if (router && takeSeat) this.#receiving = { router, takeSeat };
    if (direction === 'send' && this.#link) {
      const link = this.#link;
      // mediasoup says `disconnected` once ICE consent checks stop arriving: the organizer's network is gone.
      transport.observer.on('icestatechange', (state) => {
        if (this.#transports.get('send') === transport) link.setConnected(state !== 'disconnected');
      });
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await clientInput(this.#transport(transportId).connect({ dtlsParameters }));
  }

  /**
   * New ICE credentials for one of this peer's transports, for the client to restart ICE with: its
   * network changed or dropped for a while, and the transport (with its producers or consumers, and
   * what viewers and the recorder consume of them) goes on instead of being made again.
   */
  async restartIce(transportId: string): Promise<{ iceParameters: types.IceParameters }> {
    return { iceParameters: await this.#transport(transportId).restartIce() };
  }

  async produce(transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters) {
    this.#assertOrganizer();
    const transport = this.#transport(transportId);
    if (transport !== this.#transports.get('send')) throw new BadRequestError('not a send transport');
    const producer = await clientInput(transport.produce({ kind, rtpParameters }));
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    this.room.addProducer(producer);
    return { producerId: producer.id };
  }

  /**
   * The organizer stops sending one kind (the camera turned off) and goes on with the rest: the room
   * and the packager see the producer close, as when a transport closes.
   */
  closeProducer(producerId: string): void {
    this.#assertOrganizer();
    this.#assertOpen();
    const producer = this.#producers.get(producerId);
    if (!producer) throw new NotFoundError('producer');
    producer.close();
  }

  async consume(producerId: string, rtpCapabilities: types.RtpCapabilities) {
    this.#assertOpen();
    const transport = this.#transports.get('recv');
    if (!transport || !this.#receiving) throw new InvalidStateError('create a receive transport first');
    const { router, takeSeat } = this.#receiving;
    if (!this.room.hasProducer(producerId)) throw new NotFoundError('producer');
    if (this.#consumed.has(producerId)) throw new InvalidStateError('this producer is already consumed');
    // A transport made while there was nothing to receive takes its seat now.
    takeSeat();
    this.#consumed.add(producerId);
    let consumer: types.Consumer;
    try {
      await this.room.whenPiped(router);
      if (!router.canConsume({ producerId, rtpCapabilities })) {
        throw new BadRequestError('these RTP capabilities cannot receive this producer');
      }
      // Paused until the client has wired the track up; resuming then also asks for a keyframe.
      consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });
    } catch (error) {
      this.#consumed.delete(producerId);
      throw error;
    }
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumer.id);
      this.#consumed.delete(producerId);
      this.#wantsResumed.delete(consumer.id);
    });
    consumer.on('producerclose', () => this.#notify('consumerClosed', { consumerId: consumer.id }));
    consumer.on('layerschange', (layers) =>
      this.#notify('consumerLayersChanged', {
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    consumer.on('score', ({ score, producerScore }) =>
      this.#notify('consumerScore', { consumerId: consumer.id, score, producerScore }),
    );
    return {
      consumerId: consumer.id,
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.#consumer(consumerId);
    if (consumer.kind === 'video') {
      this.#wantsResumed.add(consumerId);
      if (this.#audioOnly) return;
    }
    await consumer.resume();
  }

  async setPreferredLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.#consumer(consumerId);
    if (consumer.type !== 'simulcast') throw new BadRequestError('this consumer has no layers');
    await clientInput(consumer.setPreferredLayers({ spatialLayer, temporalLayer }));
  }

  /** Pausing the video consumer stops its RTP at the SFU, so an audio-only attendee gets no video bytes. */
  async setAudioOnly(audioOnly: boolean): Promise<void> {
    this.#audioOnly = audioOnly;
    const video = [...this.#consumers.values()].filter((c) => c.kind === 'video' && this.#wantsResumed.has(c.id));
    await Promise.all(video.map((c) => (audioOnly ? c.pause() : c.resume())));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.#link?.leave();
  }

  #transport(id: string): types.WebRtcTransport {
    this.#assertOpen();
    for (const transport of this.#transports.values()) if (transport.id === id) return transport;
    throw new NotFoundError('transport');
  }

  #consumer(id: string): types.Consumer {
    this.#assertOpen();
    const consumer = this.#consumers.get(id);
    if (!consumer) throw new NotFoundError('consumer');
    return consumer;
  }

  #assertOrganizer(): void {
    if (this.role !== 'organizer') throw new ForbiddenError();
  }

  #assertOpen(): void {
    if (this.#closed || this.room.closed) throw new InvalidStateError('media session closed; join again');
  }
}

/**
 * mediasoup rejects malformed parameters with a TypeError, and a codec its router lacks with an
 * UnsupportedError: the client's mistake, so it hears why.
 */
export async function clientInput<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    const refused = error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError');
    throw refused ? new BadRequestError(error.message) : error;
  }
}
