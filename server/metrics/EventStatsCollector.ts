import type { types } from 'mediasoup';
import type { EventStats, IngestStream, RecordingState } from '../../shared/signalling';
import type { EventService } from '../events/EventService';
import type { HlsService } from '../hls/HlsService';
import type { MediaRoom } from '../sfu/MediaRoom';
import type { MediaRoomRegistry } from '../sfu/MediaRoomRegistry';
import type { WebRtcSeats } from '../sfu/WebRtcSeats';
import type { ChatRate } from './ChatRate';
import { emptyCounts, type EventAudience } from './EventAudience';

/** RTCP's fraction lost is in 256ths. */
const FRACTION_LOST_SCALE = 256;

export interface EventStatsSources {
  events: EventService;
  rooms: MediaRoomRegistry;
  hls: HlsService;
  seats: WebRtcSeats;
  /** Workers the seats are counted over. */
  workerCount: () => number;
  audience: EventAudience;
  chatRate: ChatRate;
}

/**
 * The live figures of events, gathered from the parts that hold them: the organizer's dashboard and
 * `/metrics` both read them from here.
 */
export class EventStatsCollector {
  readonly #sources: EventStatsSources;
  readonly #rooms = new Map<string, MediaRoom>();
  readonly #recording = new Map<string, RecordingState>();

  constructor(sources: EventStatsSources) {
    this.#sources = sources;
    sources.rooms.on('roomOpened', this.#onRoomOpened);
    sources.hls.on('recordingState', this.#onRecordingState);
  }

  async stats(slug: string): Promise<EventStats> {
    return {
      attendees: this.#sources.audience.playbackCounts().get(slug) ?? emptyCounts(),
      ingest: await this.ingest(slug),
      packager: this.packagerState(slug),
      chatPerMinute: this.#sources.chatRate.perMinute(slug),
      webrtcSeats: this.webrtcSeats(),
    };
  }

  /** The organizer's media as the SFU receives it, one entry per producer. */
  async ingest(slug: string): Promise<IngestStream[]> {
    const room = this.#rooms.get(slug);
    if (!room || room.closed) return [];
    const producers = room.producers().flatMap(({ producerId }) => room.getProducer(producerId) ?? []);
    const streams = await Promise.all(producers.map((producer) => ingestStream(producer)));
    return streams.flatMap((stream) => stream ?? []);
  }

  packagerState(slug: string): RecordingState {
    return this.#recording.get(slug) ?? 'idle';
  }

  /** Live events whose recorder has given up; a failed recorder keeps retrying, so this can clear. */
  failedPackagers(): string[] {
    return this.liveEvents().filter((slug) => this.packagerState(slug) === 'failed');
  }

  liveEvents(): string[] {
    return this.#sources.events
      .list()
      .filter((event) => event.status === 'live')
      .map((event) => event.slug);
  }

  webrtcSeats(): { used: number; capacity: number } {
    return { used: this.#sources.seats.used, capacity: this.#sources.seats.perWorker * this.#sources.workerCount() };
  }

  close(): void {
    this.#sources.rooms.off('roomOpened', this.#onRoomOpened);
    this.#sources.hls.off('recordingState', this.#onRecordingState);
  }

  readonly #onRoomOpened = (room: MediaRoom): void => {
    this.#rooms.set(room.slug, room);
    room.once('closed', () => {
      if (this.#rooms.get(room.slug) === room) this.#rooms.delete(room.slug);
    });
  };

  readonly #onRecordingState = (slug: string, state: RecordingState): void => {
    this.#recording.set(slug, state);
  };
}

/** A simulcast producer has a stream per layer: their bitrates add up, the worst loss counts. */
async function ingestStream(producer: types.Producer): Promise<IngestStream | undefined> {
  const stats = await producer.getStats().catch(() => undefined);
  if (!stats || producer.closed) return undefined;
  return {
    kind: producer.kind,
    bitrateBps: stats.reduce((sum, s) => sum + s.bitrate, 0),
    packetsLost: stats.reduce((sum, s) => sum + Math.max(0, s.packetsLost), 0),
    lossFraction: Math.min(1, Math.max(0, ...stats.map((s) => s.fractionLost)) / FRACTION_LOST_SCALE),
  };
}
