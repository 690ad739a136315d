import crypto from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import { clientInput } from './MediaPeer';
import type { MediaRoom } from './MediaRoom';
import { writeWhipAnswer, type WhipOffer } from './whipSdp';

export type WhipSessionCloseReason = 'stopped' | 'disconnected' | 'neverConnected' | 'transportClosed' | 'keyRevoked' | 'eventOver' | 'replaced';

export interface WhipSessionEvents {
  /** The encoder's DTLS is up: its media reaches the producers from now on. */
  connected: [];
  closed: [reason: WhipSessionCloseReason];
}

export interface WhipSessionOptions {
  /** How long the encoder has to complete ICE and DTLS after the answer. */
  connectTimeoutMs: number;
}

/**
 * One encoder publishing over WHIP: a send transport on the event's origin router and a producer per
 * m-section of its offer. The producers join the room only once the encoder's DTLS connects, so an offer
 * that never connects replaces nobody's media. Closing closes the transport, and with it the producers
 * (the room and the packager see them go, as when the studio's transport closes). Opened and owned by
 * {@link WhipIngest}.
 */
export class WhipSession extends SafeEmitter<WhipSessionEvents> {
  /** Names the WHIP resource: 128 random bits, so the URL is not guessable (the key is still required). */
  readonly id = crypto.randomBytes(16).toString('hex');
  readonly slug: string;
  /** The hash of the key that opened the session, asked about again whenever keys change. */
  readonly keyHash: string;
  readonly answer: string;
  readonly #room: MediaRoom;
  readonly #transport: types.WebRtcTransport;
  readonly #producers: types.Producer[];
  readonly #logger: Logger;
  #connectTimer: NodeJS.Timeout | undefined;
  #connected = false;
  #closed = false;

  private constructor(
    room: MediaRoom,
    keyHash: string,
    made: { transport: types.WebRtcTransport; producers: types.Producer[]; answer: string },
    options: WhipSessionOptions,
    logger: Logger,
  ) {
    super(logger);
    this.slug = room.slug;
    this.keyHash = keyHash;
    this.#room = room;
    this.#transport = made.transport;
    this.#producers = made.producers;
    this.answer = made.answer;
    this.#logger = logger;
    const transport = made.transport;
    transport.observer.once('close', () => this.close('transportClosed'));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected') this.#onConnected();
      else if (state === 'failed' || state === 'closed') this.close('disconnected');
    });
    // mediasoup checks ICE consent: an encoder gone (network cut, OBS killed) is seen within ~30 s.
    transport.on('icestatechange', (state) => {
      if (state === 'disconnected') this.close('disconnected');
    });
    // The studio's camera published after the encoder connected (the room keeps one producer per kind): an
    // encoder with nothing left in the room is over, and the next encoder is taken.
    for (const producer of made.producers) {
      producer.observer.once('close', () => {
        if (this.#connected && this.#producers.every((p) => p.closed)) this.close('replaced');
      });
    }
    this.#connectTimer = setTimeout(() => this.close('neverConnected'), options.connectTimeoutMs);
    this.#connectTimer.unref();
  }

  /**
   * Makes the transport and the producers for an offer read by {@link readWhipOffer}; anything failing
   * undoes what was made.
   * @throws BadRequestError when mediasoup refuses the offer's parameters.
   */
  static async open(room: MediaRoom, keyHash: string, offer: WhipOffer, options: WhipSessionOptions, logger: Logger): Promise<WhipSession> {
    const transport = await room.createSendTransport();
    try {
      await clientInput(transport.connect({ dtlsParameters: offer.dtlsParameters }));
      const producers: types.Producer[] = [];
      for (const track of offer.tracks) {
        producers.push(await clientInput(transport.produce({ kind: track.kind, rtpParameters: track.rtpParameters })));
      }
      const answer = writeWhipAnswer(offer, transport);
      return new WhipSession(room, keyHash, { transport, producers, answer }, options, logger.child({ transportId: transport.id }));
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  get connected(): boolean {
    return this.#connected;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get kinds(): types.MediaKind[] {
    return this.#producers.map((p) => p.kind);
  }

  close(reason: WhipSessionCloseReason = 'stopped'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    this.#transport.close();
    this.#logger.info({ reason }, 'WHIP session closed');
    this.emit('closed', reason);
  }

  #onConnected(): void {
    if (this.#connected || this.#closed) return;
    this.#connected = true;
    clearTimeout(this.#connectTimer);
    // Now, not at the POST: an encoder that never connects must not replace the studio's media.
    for (const producer of this.#producers) if (!producer.closed) this.#room.addProducer(producer);
    this.#logger.info({ kinds: this.kinds }, 'WHIP encoder connected');
    this.emit('connected');
  }
}
