import type { EventService } from '../events/EventService';
import type { Logger } from '../logger';
import { FfmpegPublisher } from './FfmpegPublisher';
import type { MediaRoomRegistry } from './MediaRoomRegistry';
import { speechTrack } from './speechTrack';
import { testPatternSource } from './testPatternSource';

/** ffmpeg reading lavfi (and a looped speech track) never ends by itself; if it dies anyway, the demo comes back after this. */
const RESTART_DELAY_MS = 2_000;

/** What the demo needs of the server, and no more. */
export interface DemoBroadcastDeps {
  events: EventService;
  rooms: MediaRoomRegistry;
  /** Resolves once an ended event's recording is final. */
  recordingFinished: (slug: string) => Promise<void>;
  /** Where people reach the server, for the printed watch link. */
  url: string;
}

/**
 * A live event fed by the synthetic test source through the SFU exactly as an organizer's browser
 * would feed it, so every path (WebRTC, HLS ladder, recording) can be seen without a camera.
 * Closing it ends the event, which leaves a replayable recording behind.
 */
export class DemoBroadcast {
  readonly slug: string;
  readonly #deps: DemoBroadcastDeps;
  readonly #logger: Logger;
  #publisher: FfmpegPublisher | undefined;
  #closed = false;

  private constructor(deps: DemoBroadcastDeps, slug: string, logger: Logger) {
    this.#deps = deps;
    this.slug = slug;
    this.#logger = logger;
  }

  static async start(deps: DemoBroadcastDeps, logger: Logger): Promise<DemoBroadcast> {
    const { event } = deps.events.create({ title: `Demo rally ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` });
    deps.events.goLive(event.slug);
    const demo = new DemoBroadcast(deps, event.slug, logger.child({ module: 'demo', slug: event.slug }));
    await demo.#publish();
    process.stdout.write(`  Demo broadcast: ${deps.url}/e/${event.slug}\n\n`);
    return demo;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#publisher?.close();
    this.#deps.events.end(this.slug);
    await this.#deps.recordingFinished(this.slug);
  }

  async #publish(): Promise<void> {
    const room = await this.#deps.rooms.getOrCreate(this.slug);
    const speech = await speechTrack(this.#logger);
    const publisher = await FfmpegPublisher.start(room, testPatternSource({ speech }), this.#logger);
    this.#publisher = publisher;
    publisher.once('exit', ({ reason, code }) => {
      this.#logger.warn({ reason, code }, 'demo source stopped; restarting it');
      publisher.close();
      setTimeout(() => {
        if (!this.#closed) this.#publish().catch((error: unknown) => this.#logger.error({ err: error }, 'demo restart failed'));
      }, RESTART_DELAY_MS);
    });
  }
}
