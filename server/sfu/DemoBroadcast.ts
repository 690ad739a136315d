import type { JalsaServer } from '../JalsaServer';
import type { Logger } from '../logger';
import { FfmpegPublisher } from './FfmpegPublisher';
import { testPatternSource } from './testPatternSource';

/** ffmpeg reading lavfi never ends by itself; if it dies anyway, the demo comes back after this. */
const RESTART_DELAY_MS = 2_000;

/**
 * A live event fed by the synthetic test source through the SFU exactly as an organizer's browser
 * would feed it, so every path (WebRTC, HLS ladder, recording) can be seen without a camera.
 * Closing it ends the event, which leaves a replayable recording behind.
 */
export class DemoBroadcast {
  readonly slug: string;
  readonly #server: JalsaServer;
  readonly #logger: Logger;
  #publisher: FfmpegPublisher | undefined;
  #closed = false;

  private constructor(server: JalsaServer, slug: string, logger: Logger) {
    this.#server = server;
    this.slug = slug;
    this.#logger = logger;
  }

  static async start(server: JalsaServer, logger: Logger): Promise<DemoBroadcast> {
    const { event } = server.events.create({ title: `Demo rally ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` });
    server.events.goLive(event.slug);
    const demo = new DemoBroadcast(server, event.slug, logger.child({ module: 'demo', slug: event.slug }));
    await demo.#publish();
    process.stdout.write(`  Demo broadcast: ${server.url}/e/${event.slug}\n\n`);
    return demo;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#publisher?.close();
    this.#server.events.end(this.slug);
    await this.#server.hls.finished(this.slug);
  }

  async #publish(): Promise<void> {
    const room = await this.#server.rooms.getOrCreate(this.slug);
    const publisher = await FfmpegPublisher.start(room, testPatternSource(), this.#logger);
    this.#publisher = publisher;
    publisher.once('exit', (code) => {
      this.#logger.warn({ code }, 'demo source stopped; restarting it');
      publisher.close();
      setTimeout(() => {
        if (!this.#closed) this.#publish().catch((error: unknown) => this.#logger.error({ err: error }, 'demo restart failed'));
      }, RESTART_DELAY_MS);
    });
  }
}
