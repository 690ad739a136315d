import type { types } from 'mediasoup-client';
import type { PublicEvent } from '../../../shared/events';
import type { MediaResponse } from '../../../shared/signalling';
import { ServiceError, describeError } from '../lib/ServiceError';
import { StateStore } from '../lib/StateStore';
import { MediaSignalling } from '../media/MediaSignalling';
import { Receiver, TOP_SPATIAL_LAYER, type ReceiverOutput } from './Receiver';

/** Shown to the attendee as is, so these are plain words. */
export type ConnectionState =
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'waiting for the event to start'
  | 'ended'
  | 'not found'
  | 'failed';

export const QUALITIES = ['auto', 'low', 'medium', 'high'] as const;
export type Quality = (typeof QUALITIES)[number];

/** Auto asks for the top layer; the server still steps down by itself when the link cannot carry it. */
const SPATIAL_LAYER_BY_QUALITY: Record<Quality, number> = { auto: TOP_SPATIAL_LAYER, low: 0, medium: 1, high: 2 };

const RETRY_DELAY_MS = 5_000;

export interface WatchState extends ReceiverOutput {
  connection: ConnectionState;
  event: PublicEvent | null;
  audioOnly: boolean;
  quality: Quality;
  problem: string | null;
}

const NO_MEDIA: ReceiverOutput = { audioTrack: null, videoTrack: null, receivingLayer: null };

/** An attendee's view of one event: joins it, follows its status and plays it while it is live. */
export class WatchSession {
  readonly store = new StateStore<WatchState>({
    ...NO_MEDIA,
    connection: 'connecting',
    event: null,
    audioOnly: false,
    quality: 'auto',
    problem: null,
  });
  readonly #slug: string;
  readonly #signalling = new MediaSignalling();
  readonly #unsubscribes: Array<() => void>;
  /** The event's current producers, kept even while media is being set up so none announced meanwhile is missed. */
  #producers = new Set<string>();
  #receiver: Receiver | null = null;
  /** Bumped on every teardown so that setup still in flight from before notices and gives up. */
  #generation = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(slug: string) {
    this.#slug = slug;
    const signalling = this.#signalling;
    this.#unsubscribes = [
      signalling.onConnect(() => void this.#join()),
      signalling.onDisconnect(() => {
        this.#stopMedia();
        this.store.update({ connection: 'reconnecting' });
      }),
      signalling.on('eventUpdated', (event) => this.#onEventUpdated(event)),
      signalling.on('producerAdded', ({ producerId }) => {
        this.#producers.add(producerId);
        void this.#receiver?.consume(producerId);
      }),
      signalling.on('producerClosed', ({ producerId }) => this.#producers.delete(producerId)),
      signalling.on('reconnect', () => void this.#join()),
    ];
  }

  setAudioOnly(audioOnly: boolean): void {
    this.store.update({ audioOnly });
    // When not joined, the preference is sent with the next media setup instead.
    if (this.#receiver) {
      this.#signalling.request('setAudioOnly', { audioOnly }).catch((error: unknown) => {
        this.store.update({ audioOnly: !audioOnly, problem: `Could not switch audio only: ${describeError(error)}` });
      });
    }
  }

  setQuality(quality: Quality): void {
    this.store.update({ quality });
    this.#receiver?.setPreferredLayer(SPATIAL_LAYER_BY_QUALITY[quality]).catch((error: unknown) => {
      this.store.update({ problem: `Could not change quality: ${describeError(error)}` });
    });
  }

  close(): void {
    this.#stopMedia();
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#signalling.close();
    this.store.clearListeners();
  }

  async #join(): Promise<void> {
    this.#stopMedia();
    const generation = this.#generation;
    this.store.update({ connection: 'connecting', problem: null });
    let joined: MediaResponse<'join'>;
    try {
      joined = await this.#signalling.request('join', { slug: this.#slug });
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof ServiceError && error.code === 'NOT_FOUND') this.store.update({ connection: 'not found' });
      else this.#fail(error);
      return;
    }
    if (generation !== this.#generation) return;
    this.#producers = new Set(joined.producers.map((producer) => producer.producerId));
    this.store.update({ event: joined.event });
    switch (joined.event.status) {
      case 'scheduled':
        this.store.update({ connection: 'waiting for the event to start' });
        return;
      case 'ended':
        this.store.update({ connection: 'ended' });
        return;
      case 'live':
        if (joined.routerRtpCapabilities === null) {
          this.#fail(new Error('The server sent no media capabilities for a live event.'));
          return;
        }
        await this.#startMedia(joined.routerRtpCapabilities as types.RtpCapabilities, generation);
    }
  }

  async #startMedia(routerRtpCapabilities: types.RtpCapabilities, generation: number): Promise<void> {
    const { audioOnly, quality } = this.store.get();
    const handlers = {
      onOutput: (output: ReceiverOutput) => {
        if (generation === this.#generation) this.store.update(output);
      },
      onTransportStateChange: (state: types.ConnectionState) => {
        if (generation === this.#generation) this.#onTransportStateChange(state);
      },
    };
    let receiver: Receiver;
    try {
      [receiver] = await Promise.all([
        Receiver.open(this.#signalling, routerRtpCapabilities, SPATIAL_LAYER_BY_QUALITY[quality], handlers),
        // Always sent, so no earlier preference of this socket lingers; before any consumer is resumed.
        this.#signalling.request('setAudioOnly', { audioOnly }),
      ]);
    } catch (error) {
      if (generation === this.#generation) this.#fail(error);
      return;
    }
    if (generation !== this.#generation) {
      receiver.close();
      return;
    }
    this.#receiver = receiver;
    // The attendee may have flipped the toggle while media was being set up.
    if (this.store.get().audioOnly !== audioOnly) this.setAudioOnly(this.store.get().audioOnly);
    for (const producerId of this.#producers) void receiver.consume(producerId);
  }

  #onTransportStateChange(state: types.ConnectionState): void {
    if (state === 'connected') this.store.update({ connection: 'connected', problem: null });
    else if (state === 'disconnected') this.store.update({ connection: 'reconnecting' });
    else if (state === 'failed') this.#fail(new Error('The media connection failed.'));
  }

  #onEventUpdated(event: PublicEvent): void {
    const wasLive = this.store.get().event?.status === 'live';
    this.store.update({ event });
    // Media capabilities come only with a join, so going live means joining again.
    if (event.status === 'live' && !wasLive) void this.#join();
    else if (event.status === 'ended') {
      this.#stopMedia();
      this.store.update({ connection: 'ended' });
    }
  }

  #fail(error: unknown): void {
    this.#stopMedia();
    // An unsupported browser will not get better by trying again.
    if (error instanceof Error && error.name === 'UnsupportedError') {
      this.store.update({ connection: 'failed', problem: 'This browser cannot play live streams.' });
      return;
    }
    this.store.update({ connection: 'failed', problem: `${describeError(error)} Trying again shortly…` });
    // While disconnected there is nothing to schedule: reconnecting joins again by itself.
    if (this.#signalling.connected) this.#retryTimer = setTimeout(() => void this.#join(), RETRY_DELAY_MS);
  }

  #stopMedia(): void {
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    this.#receiver?.close();
    this.#receiver = null;
    this.store.update(NO_MEDIA);
  }
}
