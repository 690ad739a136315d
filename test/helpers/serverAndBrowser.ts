import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser';
import { waitForLadder } from './ladder';
import { createEvent, publishTestPattern, startTestServer, type TestServer } from './testServer';

/** Whatever publishes the test pattern into a room (only close() matters to the fixture). */
export type TestPublisher = Awaited<ReturnType<typeof publishTestPattern>>;

export interface ServerAndBrowserOptions {
  /** The server's environment; a function when it depends on what an earlier hook started (a Redis). */
  env?: Record<string, string> | (() => Record<string, string>);
  /** Chromium with the usual flags (true, the default), with extra launch flags, or none (false). */
  browser?: boolean | string[];
}

export interface Broadcast {
  slug: string;
  eventKey: string;
  publisher: TestPublisher;
}

interface Closable {
  close(): unknown;
}

/**
 * A test server and the Chromium that visits it, shared by the tests of one file, and everything the file
 * attaches to them (publishers, an nginx): all of it is closed together, the latest first. It stands in for
 * the TestServer itself, so the helpers that take one (createEvent, waitForLadder) take it too.
 */
export class ServerAndBrowser implements TestServer {
  readonly #options: ServerAndBrowserOptions;
  #test: TestServer | undefined;
  #browser: Browser | undefined;
  readonly #owned: Closable[] = [];

  constructor(options: ServerAndBrowserOptions = {}) {
    this.#options = options;
  }

  get server(): TestServer['server'] {
    return this.#running().server;
  }

  get url(): string {
    return this.#running().url;
  }

  get dataDir(): string {
    return this.#running().dataDir;
  }

  get browser(): Browser {
    if (!this.#browser) throw new Error('no browser: the fixture is not running, or was declared with browser: false');
    return this.#browser;
  }

  /** Starts the server, then Chromium; on failure closes what did start. */
  async start(): Promise<void> {
    if (this.#test) throw new Error('the fixture is already running');
    const { env, browser = true } = this.#options;
    try {
      this.#test = await startTestServer(typeof env === 'function' ? env() : env);
      if (browser !== false) this.#browser = await launchChromium(browser === true ? [] : browser);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Closes `resource` with the fixture, before the browser and the server it may depend on. */
  own<T extends Closable>(resource: T): T {
    this.#owned.push(resource);
    return resource;
  }

  /** Takes the event live with the test pattern; the publisher is closed with the fixture (closing it sooner is fine). */
  async publish(slug: string): Promise<TestPublisher> {
    return this.own(await publishTestPattern(this, slug));
  }

  /**
   * Creates an event and publishes the test pattern into it, then waits until every rung of its HLS ladder
   * has `ladderSegments` segments to play (0: does not wait).
   */
  async broadcast(title: string, { ladderSegments = 3 } = {}): Promise<Broadcast> {
    const { slug, eventKey } = await createEvent(this, title);
    const publisher = await this.publish(slug);
    if (ladderSegments > 0) await waitForLadder(this, slug, ladderSegments);
    return { slug, eventKey, publisher };
  }

  /** Closes everything, the latest first; one failing does not keep the others open. Idempotent. */
  async close(): Promise<void> {
    const closing: Closable[] = [...this.#owned.splice(0).reverse(), this.#browser, this.#test].filter((r) => r !== undefined);
    this.#browser = undefined;
    this.#test = undefined;
    let failure: unknown;
    for (const resource of closing) {
      try {
        await resource.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  #running(): TestServer {
    if (!this.#test) throw new Error('the fixture is not running: use it inside tests or hooks declared after it');
    return this.#test;
  }
}

/**
 * The fixture for the tests of this file: started before them, closed after them. Hooks the file declares
 * afterwards run after it starts and, vitest running after-hooks in reverse, finish before it closes.
 */
export function withServerAndBrowser(options: ServerAndBrowserOptions = {}): ServerAndBrowser {
  const fixture = new ServerAndBrowser(options);
  beforeAll(() => fixture.start());
  afterAll(() => fixture.close());
  return fixture;
}
