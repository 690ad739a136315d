import type { types } from 'mediasoup-client';
import { SIMULCAST_LAYER_COUNT } from '../../../shared/media';
import type { MediaKind } from '../../../shared/signalling';
import { createTransport, loadDevice } from '../media/device';
import type { MediaSignalling } from '../media/MediaSignalling';

export const TOP_SPATIAL_LAYER = SIMULCAST_LAYER_COUNT - 1;

export interface ReceiverOutput {
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  /** The spatial layer the server currently forwards, or null when unknown or no video flows. */
  receivingLayer: number | null;
}

export interface ReceiverHandlers {
  onOutput(output: ReceiverOutput): void;
  onTransportStateChange(state: types.ConnectionState): void;
}

/** One receive transport and its consumers, for as long as the attendee stays joined to a live event. */
export class Receiver {
  readonly #signalling: MediaSignalling;
  readonly #device: types.Device;
  readonly #transport: types.Transport;
  readonly #handlers: ReceiverHandlers;
  readonly #consumers = new Map<string, types.Consumer>();
  /** Producers consumed or being consumed; guards against consuming one twice when notifications overlap the join. */
  readonly #wantedProducers = new Set<string>();
  readonly #unsubscribes: Array<() => void>;
  #preferredLayer: number;
  #receivingLayer: number | null = null;
  #closed = false;

  static async open(
    signalling: MediaSignalling,
    routerRtpCapabilities: types.RtpCapabilities,
    preferredLayer: number,
    handlers: ReceiverHandlers,
  ): Promise<Receiver> {
    // Independent round trips; on a slow link doing them side by side saves one.
    const [device, params] = await Promise.all([
      loadDevice(routerRtpCapabilities),
      signalling.request('createTransport', { direction: 'recv' }),
    ]);
    const transport = createTransport(device, signalling, 'recv', params);
    return new Receiver(signalling, device, transport, preferredLayer, handlers);
  }

  private constructor(
    signalling: MediaSignalling,
    device: types.Device,
    transport: types.Transport,
    preferredLayer: number,
    handlers: ReceiverHandlers,
  ) {
    this.#signalling = signalling;
    this.#device = device;
    this.#transport = transport;
    this.#preferredLayer = preferredLayer;
    this.#handlers = handlers;
    transport.on('connectionstatechange', (state) => handlers.onTransportStateChange(state));
    this.#unsubscribes = [
      signalling.on('producerClosed', ({ producerId }) => this.dropProducer(producerId)),
      signalling.on('consumerClosed', ({ consumerId }) => this.#dropConsumer(consumerId)),
      signalling.on('consumerLayersChanged', ({ consumerId, spatialLayer }) => {
        if (this.#consumers.get(consumerId)?.kind !== 'video') return;
        this.#receivingLayer = spatialLayer;
        this.#emitOutput();
      }),
    ];
  }

  /** Never rejects: one stream failing must not stop the others from playing. */
  async consume(producerId: string): Promise<void> {
    if (this.#closed || this.#wantedProducers.has(producerId)) return;
    this.#wantedProducers.add(producerId);
    try {
      const answer = await this.#signalling.request('consume', {
        producerId,
        rtpCapabilities: this.#device.recvRtpCapabilities,
      });
      if (!this.#isWanted(producerId)) return;
      const consumer = await this.#transport.consume({
        id: answer.consumerId,
        producerId: answer.producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters as types.RtpParameters,
      });
      if (!this.#isWanted(producerId)) {
        consumer.close();
        return;
      }
      this.#consumers.set(consumer.id, consumer);
      consumer.on('trackended', () => this.#dropConsumer(consumer.id));
      this.#emitOutput();
      if (consumer.kind === 'video' && this.#preferredLayer !== TOP_SPATIAL_LAYER) {
        await this.#applyPreferredLayer(consumer.id);
      }
      await this.#signalling.request('resumeConsumer', { consumerId: consumer.id });
    } catch (error) {
      this.#wantedProducers.delete(producerId);
      if (!this.#closed) console.warn(`Could not play stream ${producerId}:`, error);
    }
  }

  /** Receive statistics of the whole transport (every consumer's inbound RTP). */
  getStats(): Promise<RTCStatsReport> {
    return this.#transport.getStats();
  }

  isVideoConsumer(consumerId: string): boolean {
    return this.#consumers.get(consumerId)?.kind === 'video';
  }

  /** Simulcast layers of the newest video consumer (1 without simulcast), or null when none. */
  get videoSpatialLayers(): number | null {
    let layers: number | null = null;
    for (const consumer of this.#consumers.values()) {
      if (consumer.kind !== 'video') continue;
      const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
      layers = Number(/^[LS](\d+)T/.exec(mode)?.[1] ?? 1);
    }
    return layers;
  }

  dropProducer(producerId: string): void {
    this.#wantedProducers.delete(producerId);
    for (const consumer of this.#consumers.values()) {
      if (consumer.producerId === producerId) this.#dropConsumer(consumer.id);
    }
  }

  async setPreferredLayer(spatialLayer: number): Promise<void> {
    this.#preferredLayer = spatialLayer;
    const videoConsumers = [...this.#consumers.values()].filter((consumer) => consumer.kind === 'video');
    await Promise.all(
      videoConsumers.map((consumer) =>
        this.#signalling.request('setPreferredLayers', { consumerId: consumer.id, spatialLayer }),
      ),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    // Closing the transport closes its consumers and stops their tracks.
    this.#transport.close();
    this.#consumers.clear();
    this.#wantedProducers.clear();
  }

  /**
   * Done while the consumer is still paused, so the first video bytes are already at the chosen layer.
   * A failure only costs the preference (a stream without simulcast has no layers), never the stream.
   */
  async #applyPreferredLayer(consumerId: string): Promise<void> {
    try {
      await this.#signalling.request('setPreferredLayers', { consumerId, spatialLayer: this.#preferredLayer });
    } catch (error) {
      console.warn('Could not set the preferred layer:', error);
    }
  }

  #isWanted(producerId: string): boolean {
    return !this.#closed && this.#wantedProducers.has(producerId);
  }

  #dropConsumer(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    this.#consumers.delete(consumerId);
    this.#wantedProducers.delete(consumer.producerId);
    consumer.close();
    if (consumer.kind === 'video') this.#receivingLayer = null;
    this.#emitOutput();
  }

  /** With several producers of a kind (say, a second organizer tab), the newest one is shown. */
  #latestTrack(kind: MediaKind): MediaStreamTrack | null {
    let latest: MediaStreamTrack | null = null;
    for (const consumer of this.#consumers.values()) {
      if (consumer.kind === kind) latest = consumer.track;
    }
    return latest;
  }

  #emitOutput(): void {
    this.#handlers.onOutput({
      audioTrack: this.#latestTrack('audio'),
      videoTrack: this.#latestTrack('video'),
      receivingLayer: this.#receivingLayer,
    });
  }
}
