import type { EventStats, IngestStream, RecordingState } from '../../shared/signalling';
import type { EventService } from '../events/EventService';
import type { HlsService } from '../hls/HlsService';
import type { MediaRoomRegistry } from '../sfu/MediaRoomRegistry';
import type { WebRtcSeats } from '../sfu/WebRtcSeats';
import type { ChatRate } from './ChatRate';
import { emptyCounts, type EventAudience } from './EventAudience';

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
 * The live figures of events, read when asked from the parts that hold them (the room, the packager,
 * chat, the seats): the organizer's dashboard and `/metrics` both read them from here.
 */
export class EventStatsCollector {
  readonly #sources: EventStatsSources;

  constructor(sources: EventStatsSources) {
    this.#sources = sources;
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
    return (await this.#sources.rooms.get(slug)?.ingestStats()) ?? [];
  }

  packagerState(slug: string): RecordingState {
    return this.#sources.hls.state(slug);
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
}
