import net, { type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { isOver } from '../../shared/events';
import { parseRtmpStreamKey, type RtmpIngestStatus } from '../../shared/rtmp';
import type { EventService } from '../events/EventService';
import { hashKey } from '../events/organizerKeys';
import { JalsaError } from '../errors';
import type { Logger } from '../logger';
import { SafeEmitter } from '../SafeEmitter';
import { FfmpegPublisher } from '../sfu/FfmpegPublisher';
import type { FileBroadcaster } from '../sfu/FileBroadcaster';
import type { MediaRoom } from '../sfu/MediaRoom';
import type { MediaRoomRegistry } from '../sfu/MediaRoomRegistry';
import { encoderSource } from './encoderSource';
import { RtmpConnection } from './RtmpConnection';

export interface RtmpIngestOptions {
  port: number;
  host: string;
  /** From connecting to asking to publish; a connection that never sends is closed after it. */
  publishDeadlineMs: number;
  /** An encoder that sends nothing this long while publishing is taken as gone. */
  idleTimeoutMs: number;
}

export interface RtmpIngestEvents {
  /** An event's encoder started publishing, dropped (`disconnected`), or the event no longer takes one (`null`). */
  changed: [slug: string, status: RtmpIngestStatus | null];
}

/** An encoder publishing to one event. */
interface Session {
  connection: RtmpConnection;
  /** The hash of the key in its stream key, asked about again when the event's keys change. */
  keyHash: string;
  /** Set once ffmpeg runs and the encoder was told to go ahead. */
  publisher: FfmpegPublisher | undefined;
}

/** FLV queued towards ffmpeg before the encoder's socket is paused (TCP then slows the encoder down, and OBS drops frames). */
const FLV_QUEUE_BYTES = 1024 * 1024;
/** Connections open at once, publishing or not: a few per live event, never a flood's worth. */
const MAX_CONNECTIONS = 32;
/** A keyframe of a 1080p encoder is well under 2 MB; RTMP would allow 16 MB per message. */
const CHUNK_LIMITS = { maxMessageBytes: 4 * 1024 * 1024, maxPendingBytes: 8 * 1024 * 1024 };

/**
 * Going live from OBS or any encoder: one RTMP listener for all events, each publish routed by its
 * stream key (`<slug>_<organizer key>`, see shared/rtmp.ts), checked before anything happens. The
 * encoder's FLV is piped into an ffmpeg that publishes it into the event's room like a file broadcast
 * (see {@link encoderSource}), and the event goes live.
 *
 * An encoder that drops does not end the event: the organizer may reconnect OBS, and is told
 * (`changed`). A second encoder publishing to the same event replaces the first: whoever holds the
 * key runs the event anyway, and OBS reconnecting after its link dropped must not wait for the dead
 * connection to time out.
 */
export class RtmpIngest extends SafeEmitter<RtmpIngestEvents> {
  readonly #server: net.Server;
  readonly #events: EventService;
  readonly #rooms: MediaRoomRegistry;
  readonly #fileBroadcasts: FileBroadcaster;
  readonly #options: RtmpIngestOptions;
  readonly #logger: Logger;
  readonly #connections = new Set<RtmpConnection>();
  readonly #sessions = new Map<string, Session>();
  readonly #statuses = new Map<string, RtmpIngestStatus>();
  #closed = false;

  constructor(events: EventService, rooms: MediaRoomRegistry, fileBroadcasts: FileBroadcaster, options: RtmpIngestOptions, logger: Logger) {
    super(logger);
    this.#events = events;
    this.#rooms = rooms;
    this.#fileBroadcasts = fileBroadcasts;
    this.#options = options;
    this.#logger = logger;
    this.#server = net.createServer((socket) => this.#onConnection(socket));
    this.#server.on('error', (error) => logger.error({ err: error }, 'RTMP listener error'));
    events.on('updated', (event) => {
      if (isOver(event.status)) this.#end(event.slug);
    });
    events.on('deleted', (slug) => this.#end(slug));
    events.on('keysChanged', (slug) => this.#checkKeys(slug));
    rooms.on('roomRecreated', (room) => this.#onRoomRecreated(room));
    // The organizer chose the file instead: two senders in one room would talk over each other.
    fileBroadcasts.on('changed', (slug, status) => {
      if (status) this.#sessions.get(slug)?.connection.close('a prepared file replaced the encoder');
    });
  }

  /** Opens the RTMP port; a port that cannot be had fails the server's start. */
  listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  status(slug: string): RtmpIngestStatus | null {
    return this.#statuses.get(slug) ?? null;
  }

  #onConnection(socket: net.Socket): void {
    if (this.#closed || this.#connections.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    const connection = new RtmpConnection(socket, {
      publishDeadlineMs: this.#options.publishDeadlineMs,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      limits: CHUNK_LIMITS,
      logger: this.#logger,
    });
    this.#connections.add(connection);
    connection.on('publish', (streamName) => {
      this.#onPublish(connection, streamName).catch((error: unknown) => {
        // The event vanished meanwhile (deleted), or a bug: this encoder is refused, nothing else is touched.
        if (!(error instanceof JalsaError)) this.#logger.error({ err: error }, 'an RTMP publish failed');
        connection.refuse(error instanceof JalsaError ? error.message : 'the server could not take the stream');
      });
    });
    connection.once('closed', (reason) => this.#onClosed(connection, reason));
  }

  async #onPublish(connection: RtmpConnection, streamName: string): Promise<void> {
    // The stream name is the key: never logged, never in ffmpeg's arguments (it reads the stream from stdin).
    const named = parseRtmpStreamKey(streamName);
    if (!named || !this.#events.isOrganizer(named.slug, named.key)) {
      this.#logger.warn({ address: connection.remoteAddress }, 'RTMP publish refused: the stream key is not valid');
      connection.refuse('the stream key is not valid');
      return;
    }
    const { slug } = named;
    const refusal = this.#refusal(slug);
    if (refusal) {
      connection.refuse(refusal);
      return;
    }
    const session: Session = { connection, keyHash: hashKey(named.key), publisher: undefined };
    const previous = this.#sessions.get(slug);
    this.#sessions.set(slug, session);
    if (previous) {
      this.#logger.info({ slug }, 'a new encoder replaces the one publishing');
      previous.publisher?.close();
      previous.connection.close('replaced by a new encoder');
    }
    // A second or two of a typical encoder's stream, so that ffmpeg's uneven reading does not pause the encoder.
    const flv = new PassThrough({ highWaterMark: FLV_QUEUE_BYTES });
    try {
      const room = await this.#rooms.getOrCreate(slug);
      const publisher = await FfmpegPublisher.start(room, encoderSource(flv), this.#logger.child({ slug, module: 'rtmp-ingest' }));
      // The encoder left, was replaced, or the event ended while ffmpeg started.
      if (this.#sessions.get(slug) !== session) {
        publisher.close();
        flv.end();
        return;
      }
      session.publisher = publisher;
      this.#events.goLive(slug);
      // ffmpeg gave up on the stream (it was not audio and video it could read): the encoder is dropped.
      publisher.once('exit', () => connection.close('ffmpeg stopped reading the stream'));
      connection.accept(flv);
      this.#setStatus(slug, { state: 'receiving' });
      this.#logger.info({ slug, address: connection.remoteAddress }, 'an encoder is publishing over RTMP');
    } catch (error) {
      // Undone as if never begun; the caller refuses the encoder.
      flv.end();
      if (this.#sessions.get(slug) === session) {
        this.#sessions.delete(slug);
        session.publisher?.close();
      }
      throw error;
    }
  }

  /**
   * Why the event cannot take an encoder now, or undefined. A studio sending its microphone is no reason:
   * told that an encoder is receiving, the studio stops sending (the organizer chose the encoder).
   */
  #refusal(slug: string): string | undefined {
    const { status } = this.#events.get(slug);
    if (isOver(status)) return `the event has ${status}`;
    if (this.#fileBroadcasts.isRunning(slug)) return 'a prepared file is being broadcast; stop it in the studio first';
    return undefined;
  }

  #onClosed(connection: RtmpConnection, reason: string): void {
    this.#connections.delete(connection);
    for (const [slug, session] of this.#sessions) {
      if (session.connection !== connection) continue;
      this.#sessions.delete(slug);
      if (!session.publisher) return;
      session.publisher.close();
      this.#logger.info({ slug, reason }, 'the encoder stopped publishing');
      // The event goes on: the organizer may reconnect the encoder, or end the event.
      if (!this.#closed && this.#isLive(slug)) this.#setStatus(slug, { state: 'disconnected' });
      return;
    }
  }

  #isLive(slug: string): boolean {
    try {
      return this.#events.get(slug).status === 'live';
    } catch {
      // Deleted: #end() has already forgotten it.
      return false;
    }
  }

  /** The event ended or was deleted: its encoder is disconnected and it has no ingest status any more. */
  #end(slug: string): void {
    this.#sessions.get(slug)?.connection.close('the event is over');
    if (this.#statuses.has(slug)) this.#setStatus(slug, null);
  }

  /** A rotated or revoked key stops publishing at once, as it stops the studio's connections. */
  #checkKeys(slug: string | undefined): void {
    for (const [sessionSlug, session] of this.#sessions) {
      if (slug !== undefined && sessionSlug !== slug) continue;
      if (!this.#events.keyHashRuns(sessionSlug, session.keyHash)) session.connection.close('its key no longer runs the event');
    }
  }

  /**
   * The room's worker died: the ffmpeg sends to a router that is gone. Dropping the encoder makes it
   * reconnect (OBS does by itself) into the new room, instead of this server restarting its stream.
   */
  #onRoomRecreated(room: MediaRoom): void {
    this.#sessions.get(room.slug)?.connection.close('the media worker was replaced');
  }

  #setStatus(slug: string, status: RtmpIngestStatus | null): void {
    if (status) this.#statuses.set(slug, status);
    else this.#statuses.delete(slug);
    this.emit('changed', slug, status);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const connection of this.#connections) connection.close('the server is stopping');
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
