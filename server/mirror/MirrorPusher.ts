import fs from 'node:fs/promises';
import path from 'node:path';
import type { PublicEvent } from '../../shared/events';
import { recordingFileKind, recordingFiles } from '../../shared/recordingLayout';
import { pathwayUrl } from '../../shared/steering';
import { parseMediaPlaylist } from '../hls/PlaylistComposer';
import type { Logger } from '../logger';
import type { MirrorTarget } from './MirrorTarget';

/** How often the recording is looked at: a segment is written every 2 s. */
const POLL_MS = 500;
/**
 * While live, a whole-event playlist (hundreds of KB after hours) is pushed at most this often: live
 * players follow the small window playlists, which go with every segment; the whole one is for rewinding.
 */
const WHOLE_PLAYLIST_INTERVAL_MS = 30_000;
/** Segments pushed at once: enough to catch up over a long round trip, few enough for a small host. */
const PUSH_CONCURRENCY = 4;
const MAX_BACKOFF_MS = 30_000;

/** The built client's page, and the folder of its content-hashed files (vite's `build.assetsDir`). */
const INDEX_HTML = 'index.html';
const HASHED_ASSETS = 'assets/';

const MASTERS = new Set<string>([recordingFiles.master, recordingFiles.liveMaster]);

/** What a mirror serves besides the recording, so that a watch page loaded from it plays without the origin. */
export interface MirrorPageOptions {
  /**
   * The built client (`dist/client`): pushed once per run of the kit, at the paths the origin serves it
   * at, so that the mirror serves the watch page (`/e/<slug>`) itself.
   */
  clientDir?: string;
  /**
   * The event as the origin's API describes it, read at each round and pushed as `event.json` whenever
   * it changed: what the watch page reads when the origin's API and sockets are out of its reach.
   */
  describeEvent?: () => PublicEvent | undefined;
}

/** What one round did. */
export interface SyncRound {
  /** Files pushed in this round: the recording's by their path in it, the watch page's by their URL path. */
  pushed: string[];
  /** The recording was final when the round began and everything of it is on the target now. */
  complete: boolean;
}

/**
 * Copies one event's recording to a mirror as it is written: every segment (and init segment) once,
 * never again; each playlist only after every file it lists is on the target, so a player reading the
 * mirror never gets a playlist naming a segment the mirror lacks; masters last. A mirror that fell
 * behind (the kit was stopped, the target was down) catches up in the next rounds, oldest first; after a
 * restart, what the target already holds is asked for rather than pushed again.
 */
export class MirrorPusher {
  readonly #dir: string;
  readonly #slug: string;
  readonly #target: MirrorTarget;
  readonly #page: MirrorPageOptions;
  #clientPushed = false;
  /** Media files (segments, inits) on the target: never pushed again. */
  readonly #onTarget = new Set<string>();
  /** Playlist, poster, download or event description → what was last pushed of it (text, or a file's mtime and size). */
  readonly #lastPushed = new Map<string, string>();
  #wholePushedAt = -Infinity;
  /** Until a round succeeded, the target may hold files from an earlier run of the kit: asked before pushing. */
  #mayHoldEarlier = true;

  constructor(recordingDir: string, slug: string, target: MirrorTarget, page: MirrorPageOptions = {}) {
    this.#dir = recordingDir;
    this.#slug = slug;
    this.#target = target;
    this.#page = page;
  }

  /** One round: what changed since the last one, in order. Rejects (pushing nothing more) at the first failure. */
  async sync(now = Date.now()): Promise<SyncRound> {
    const finished = await exists(path.join(this.#dir, recordingFiles.finishedMarker));
    const names = (await fs.readdir(this.#dir).catch(() => [] as string[])).filter((n) => recordingFileKind(n) === 'playlist');
    const texts = new Map<string, string>();
    for (const name of names) texts.set(name, await fs.readFile(path.join(this.#dir, name), 'utf8'));
    const media = [...texts].filter(([name]) => !MASTERS.has(name));
    const pushed: string[] = [];

    // Every file any media playlist read now lists, oldest first (whole playlists list everything).
    const files = new Set<string>();
    for (const [, text] of media) {
      for (const segment of parseMediaPlaylist(text).segments) {
        if (segment.init) files.add(segment.init);
        files.add(segment.uri);
      }
    }
    await this.#pushMedia([...files].filter((file) => !this.#onTarget.has(file)), pushed);

    // Then the playlists read above, whose files are all there now: windows at once, whole ones as they may.
    const wholeDue = finished || now - this.#wholePushedAt >= WHOLE_PLAYLIST_INTERVAL_MS;
    for (const [name, text] of media) {
      if (!name.endsWith('.live.m3u8') && !wholeDue) continue;
      await this.#pushChanged(name, text, Buffer.from(text), pushed);
    }
    if (wholeDue) this.#wholePushedAt = now;
    for (const [name, text] of texts) if (MASTERS.has(name)) await this.#pushChanged(name, text, Buffer.from(text), pushed);
    await this.#pushFileIfChanged(recordingFiles.poster, pushed);
    if (finished) await this.#pushFileIfChanged(recordingFiles.audioDownload, pushed);
    // After the playlists: a page told the event is live finds them on the mirror already.
    const event = this.#page.describeEvent?.();
    if (event) {
      const description = JSON.stringify(event);
      await this.#pushChanged(recordingFiles.eventDescription, description, Buffer.from(description), pushed);
    }
    if (!this.#clientPushed && this.#page.clientDir !== undefined) await this.#pushClient(this.#page.clientDir, pushed);
    const complete = finished && wholeDue && media.length > 0;
    this.#mayHoldEarlier = false;
    return { pushed, complete };
  }

  /**
   * Rounds until the recording is final and all of it is on the target (or `signal` stops it). A failed
   * round is logged and tried again after a wait that doubles up to 30 s; nothing is lost meanwhile.
   */
  async run(logger: Logger, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let wait = POLL_MS;
      try {
        const round = await this.sync();
        if (round.pushed.length > 0) logger.debug({ files: round.pushed.length }, 'pushed to the mirror');
        if (failures > 0) logger.info('the mirror takes files again');
        failures = 0;
        if (round.complete) {
          logger.info({ target: this.#target.description }, 'the recording is complete on the mirror');
          return;
        }
      } catch (error) {
        failures += 1;
        wait = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures);
        logger.warn({ err: error, retryInMs: wait }, 'pushing to the mirror failed; trying again');
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, wait);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Pushes media files in order, a few at a time; each one that is on the target is remembered as such. */
  async #pushMedia(files: string[], pushed: string[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++]!;
        if (!this.#mayHoldEarlier || !(await this.#target.has(this.#url(file)))) {
          await this.#target.put(this.#url(file), await fs.readFile(path.join(this.#dir, file)));
          pushed.push(file);
        }
        this.#onTarget.add(file);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, files.length) }, worker));
  }

  async #pushChanged(name: string, version: string, body: Buffer, pushed: string[]): Promise<void> {
    if (this.#lastPushed.get(name) === version) return;
    await this.#target.put(this.#url(name), body);
    this.#lastPushed.set(name, version);
    pushed.push(name);
  }

  /**
   * The built client, once: its hashed assets first (after a restart, those the target holds are not
   * pushed again: a name never changes content), `index.html` last, so the page on the mirror never
   * names a script that is not there yet.
   */
  async #pushClient(clientDir: string, pushed: string[]): Promise<void> {
    const files = (await fs.readdir(clientDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(clientDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    if (!files.includes(INDEX_HTML)) throw new Error(`${clientDir} holds no built client (npm run build:client)`);
    const ordered = [...files.filter((file) => file !== INDEX_HTML).sort(), INDEX_HTML];
    for (const file of ordered) {
      const urlPath = `/${file}`;
      if (file.startsWith(HASHED_ASSETS) && this.#mayHoldEarlier && (await this.#target.has(urlPath))) continue;
      await this.#target.put(urlPath, await fs.readFile(path.join(clientDir, file)));
      pushed.push(urlPath);
    }
    this.#clientPushed = true;
  }

  /** Where one of the recording's files is on the target: where the origin serves it. */
  #url(file: string): string {
    return pathwayUrl('', this.#slug, file);
  }

  /** A file the server rewrites whole (the poster) or makes once (the download), pushed when it changed. */
  async #pushFileIfChanged(name: string, pushed: string[]): Promise<void> {
    const file = path.join(this.#dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat) return;
    const version = `${stat.mtimeMs}:${stat.size}`;
    if (this.#lastPushed.get(name) === version) return;
    await this.#pushChanged(name, version, await fs.readFile(file), pushed);
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
