import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';

/** Lines kept per trail: about the last minute of a player's requests. */
const TRAIL_LENGTH = 400;

/**
 * What watched pages did lately (requests with their time and size, console lines) and, when a test of
 * the file fails, that trail and the state of every media element printed with the failure: a timing
 * failure seen only on CI then says what the player was doing, not only that it did not get there.
 * Declare at module scope (it registers an afterEach hook); `watch` each page once it exists.
 */
export class PageTrail {
  readonly #lines: string[] = [];
  readonly #pages = new Set<Page>();
  readonly #since = Date.now();

  constructor() {
    afterEach(async ({ task }) => {
      if (task.result?.state !== 'fail') return;
      const media = await Promise.all([...this.#pages].map((page) => describeMedia(page)));
      console.log(`--- what the page did before "${task.name}" failed ---\n${this.#lines.join('\n')}\n--- media now ---\n${media.join('\n')}`);
    });
  }

  watch(page: Page): void {
    this.#pages.add(page);
    const started = new WeakMap<object, number>();
    page.on('request', (request) => started.set(request, Date.now()));
    page.on('requestfinished', (request) => {
      void request.sizes().then(
        ({ responseBodySize }) => this.#note(`${path(request.url())} ${Date.now() - (started.get(request) ?? 0)} ms ${responseBodySize} B`),
        () => this.#note(`${path(request.url())} ${Date.now() - (started.get(request) ?? 0)} ms`),
      );
    });
    page.on('requestfailed', (request) =>
      this.#note(`${path(request.url())} FAILED after ${Date.now() - (started.get(request) ?? 0)} ms: ${request.failure()?.errorText}`),
    );
    page.on('console', (message) => this.#note(`console.${message.type()}: ${message.text()}`));
  }

  /** A line of the test's own, e.g. the network profile it applies now. */
  note(line: string): void {
    this.#note(`test: ${line}`);
  }

  #note(line: string): void {
    this.#lines.push(`${((Date.now() - this.#since) / 1000).toFixed(1)} s ${line}`);
    if (this.#lines.length > TRAIL_LENGTH) this.#lines.shift();
  }
}

function path(url: string): string {
  const { pathname, search } = new URL(url);
  return pathname + search;
}

/** Every media element of the page: its position, whether it plays, how ready it is and what it holds. */
function describeMedia(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      const shown = [...document.querySelectorAll<HTMLElement>('[data-testid="delivery-path"], [data-testid="playback-mode"], [data-testid="connection-state"]')];
      const media = [...document.querySelectorAll<HTMLMediaElement>('audio, video')].map((element) => {
        const ranges = Array.from({ length: element.buffered.length }, (_, i) => `${element.buffered.start(i).toFixed(1)}-${element.buffered.end(i).toFixed(1)}`);
        return `${element.dataset.testid ?? element.tagName}: at ${element.currentTime.toFixed(2)} ${element.paused ? 'paused' : 'playing'} readyState ${element.readyState} buffered [${ranges.join(', ')}]`;
      });
      return [`${location.pathname}: ${shown.map((element) => `${element.dataset.testid} ${JSON.stringify(element.dataset)}`).join('; ')}`, ...media].join('\n');
    })
    .catch((error: unknown) => `(the page could not be read: ${String(error)})`);
}
