import crypto from 'node:crypto';
import type {
  CreateEventRequest,
  CreateEventResponse,
  EventKeyResponse,
  PublicEvent,
  UpdateEventRequest,
} from '../../shared/events';
import { MirrorSettings, NO_MIRRORS } from '../../shared/mirrors';
import { InvalidStateError, NotFoundError } from '../errors';
import { SafeEmitter } from '../SafeEmitter';
import { assertDeletable, changedMeanwhile, decideCancel, decideEdit, normalizeTime } from './eventChanges';
import type { EventStore, KeyState, StoredEvent } from './EventStore';
import { generateKey, hashesEqual, hashKey, type InstanceKey } from './organizerKeys';
import type { OriginEventSource } from './OriginEventSource';

export interface EventServiceEvents {
  /** Any change of an event's status, title or time. */
  updated: [event: PublicEvent];
  /** The event was deleted: whoever follows it is told it is gone, and its owners drop what they keep of it. */
  deleted: [slug: string];
  /**
   * Keys that admitted organizers may have stopped working: one event's key (`slug`) or the instance
   * key (no slug). Connections check again whether their key still runs their event.
   */
  keysChanged: [slug?: string];
}

/**
 * How soon a key rotated or revoked, or an event deleted, by another process sharing the database takes
 * effect on this one's connections (one pragma per check while nothing changed).
 */
const SHARED_CHANGES_CHECK_MS = 1_000;

/**
 * The one place event state lives: creation, the scheduled → live → ended lifecycle, and who may
 * act as an event's organizer.
 */
export class EventService extends SafeEmitter<EventServiceEvents> {
  readonly #store: EventStore;
  readonly #instanceKey: InstanceKey;
  readonly #origin: OriginEventSource | undefined;
  /** Keys and deletions as this process last knew them, to tell what another process changed. */
  #keyStates: Map<string, KeyState>;
  readonly #sharedChecks: NodeJS.Timeout | undefined;

  /** With an `origin`, this server is an edge: its events are copies of the origin's. */
  constructor(store: EventStore, instanceKey: InstanceKey, origin?: OriginEventSource) {
    super();
    this.#store = store;
    this.#instanceKey = instanceKey;
    this.#origin = origin;
    instanceKey.on('rotated', this.#onInstanceKeyRotated);
    this.#keyStates = store.keyStates();
    // An edge's events are copies nobody else writes; every other server may share its database.
    if (!origin) {
      this.#sharedChecks = setInterval(this.#checkSharedChanges, SHARED_CHANGES_CHECK_MS);
      this.#sharedChecks.unref();
    }
  }

  close(): void {
    clearInterval(this.#sharedChecks);
    this.#instanceKey.off('rotated', this.#onInstanceKeyRotated);
  }

  /** True on an edge server, where events are run at the origin and only relayed here. */
  get isMirror(): boolean {
    return this.#origin !== undefined;
  }

  /** On an edge, refreshes the local copy of an event from the origin; elsewhere nothing to do. */
  async ensure(slug: string): Promise<void> {
    const event = await this.#origin?.fetch(slug);
    if (event) this.mirror(event);
  }

  isInstanceKey(key: string): boolean {
    return this.#instanceKey.matchesHash(hashKey(key));
  }

  /** True when `key` may run this event: the instance key, or the event's own key. */
  isOrganizer(slug: string, key: string): boolean {
    return this.keyHashRuns(slug, hashKey(key));
  }

  /**
   * True when `key` ran this event before it was deleted (or runs it now): deleting again must answer
   * its organizer as the first time did, and still refuse everybody else.
   */
  ranEvent(slug: string, key: string): boolean {
    const event = this.#store.find(slug);
    return event !== undefined && this.#opens(event, hashKey(key));
  }

  /**
   * True while the key with this hash may run the event. Connections keep the hash of the key that
   * admitted them (not the key) and ask again, so a rotated or revoked key stops working at once.
   */
  keyHashRuns(slug: string, keyHash: string): boolean {
    const event = this.#store.find(slug);
    return event !== undefined && event.deletedAt === null && this.#opens(event, keyHash);
  }

  #opens(event: StoredEvent, keyHash: string): boolean {
    if (this.isMirror) return false;
    // Both compared whatever the first says, so the time taken does not tell which key was sent.
    const instance = this.#instanceKey.matchesHash(keyHash);
    const own = hashesEqual(keyHash, event.keyHash);
    return instance || own;
  }

  /**
   * Gives the event a new key, returned this once (only its hash is kept); the old key stops working
   * now, for requests and for connections it admitted.
   */
  rotateKey(slug: string): EventKeyResponse {
    this.#runnable(slug);
    const organizerKey = generateKey();
    this.#replaceKeyHash(slug, hashKey(organizerKey));
    return { organizerKey };
  }

  /** Leaves the event with no key of its own: only the instance key runs it until a rotation. */
  revokeKey(slug: string): void {
    this.#runnable(slug);
    this.#replaceKeyHash(slug, unusableKeyHash());
  }

  create(request: CreateEventRequest, now = new Date()): CreateEventResponse {
    const organizerKey = generateKey();
    const event: StoredEvent = {
      slug: makeSlug(request.title),
      title: request.title,
      status: 'scheduled',
      keyHash: hashKey(organizerKey),
      scheduledAt: normalizeTime(request.scheduledAt),
      startedAt: null,
      endedAt: null,
      createdAt: now.toISOString(),
      revision: 0,
      deletedAt: null,
    };
    this.#store.insert(event);
    return { event: toPublic(event), organizerKey };
  }

  get(slug: string): PublicEvent {
    const event = this.#store.find(slug);
    if (!event || event.deletedAt !== null) throw new NotFoundError('event');
    return toPublic(event);
  }

  list(): PublicEvent[] {
    return this.#store.list().map(toPublic);
  }

  /** Changes whenever {@link list} would answer differently, also when another process changed an event. */
  listVersion(): string {
    return this.#store.version();
  }

  /** Idempotent while live, so an organizer whose connection dropped can publish again. */
  goLive(slug: string, now = new Date()): PublicEvent {
    const event = this.get(slug);
    if (event.status === 'live') return event;
    if (event.status === 'ended' || event.status === 'cancelled') throw new InvalidStateError(`the event has ${event.status}`);
    return this.#setStatus({ ...event, status: 'live', startedAt: now.toISOString() });
  }

  end(slug: string, now = new Date()): PublicEvent {
    const event = this.get(slug);
    if (event.status === 'ended' || event.status === 'cancelled') return event;
    return this.#setStatus({ ...event, status: 'ended', endedAt: now.toISOString() });
  }

  /** A new title or time; see {@link decideEdit} for what is refused. */
  update(slug: string, edit: UpdateEventRequest): PublicEvent {
    this.#runnable(slug);
    const event = this.get(slug);
    const outcome = decideEdit(event, edit);
    if (!outcome.changed) return event;
    const written = this.#store.updateDetails({ slug, title: outcome.title, scheduledAt: outcome.scheduledAt }, event.revision);
    if (!written) throw changedMeanwhile();
    return this.#announce(slug);
  }

  /**
   * Where the event's HLS files are mirrored and which pathway players should prefer. Read on every
   * master playlist and steering request: another process sharing the database may have changed them.
   */
  mirrors(slug: string): MirrorSettings {
    this.get(slug);
    const stored = this.#store.mirrorSettings(slug);
    if (stored === undefined) return NO_MIRRORS;
    // Written only through the schema below; a row that no longer parses (an older format) is no mirrors.
    const parsed = MirrorSettings.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : NO_MIRRORS;
  }

  /** On an edge: the origin's mirrors of the event, as the copy's (written only when they changed). */
  keepOriginMirrors(slug: string, settings: MirrorSettings): void {
    if (!this.isMirror) throw new Error('only an edge keeps its origin’s mirrors');
    const stored = JSON.stringify(settings);
    if (this.#store.mirrorSettings(slug) !== stored) this.#store.setMirrorSettings(slug, stored);
  }

  /** Replaces the event's mirrors and priority; players follow at their next steering reload. */
  setMirrors(slug: string, settings: MirrorSettings): MirrorSettings {
    this.#runnable(slug);
    this.#store.setMirrorSettings(slug, JSON.stringify(settings));
    return settings;
  }

  /** Calls off an event that has not started; attendees waiting for it are told. Idempotent. */
  cancel(slug: string, now = new Date()): PublicEvent {
    this.#runnable(slug);
    const event = this.get(slug);
    if (!decideCancel(event)) return event;
    return this.#setStatus({ ...event, status: 'cancelled', endedAt: now.toISOString() });
  }

  /**
   * Deletes the event: it is listed and found no more, and its slug is never given again. Idempotent:
   * deleting a deleted event does nothing more. Refused while live (see {@link assertDeletable}).
   * What others keep of it (chat, recording) is dropped by them on `deleted`, or by the caller.
   */
  delete(slug: string, now = new Date()): void {
    this.#runnable(slug, { evenDeleted: true });
    const stored = this.#store.find(slug)!;
    if (stored.deletedAt !== null) return;
    assertDeletable(stored);
    this.#store.markDeleted(slug, now.toISOString());
    this.#keyStates.set(slug, { keyHash: stored.keyHash, deleted: true });
    this.emit('deleted', slug);
  }

  /**
   * On an edge SFU: keeps a copy of an origin's event. The copy gets a key nobody knows, so no one
   * can run the event here; organizers act on the origin.
   */
  mirror(event: PublicEvent): void {
    const local = this.#store.find(event.slug);
    if (!local) {
      this.#store.insert({ ...event, keyHash: unusableKeyHash(), deletedAt: null });
      return;
    }
    // The origin's word is the copy's, whatever revision the copy counted to.
    if (local.title !== event.title || local.scheduledAt !== event.scheduledAt) this.#store.updateDetails(event);
    if (local.status !== event.status) this.#store.updateStatus(event);
    if (local.title !== event.title || local.scheduledAt !== event.scheduledAt || local.status !== event.status) {
      this.#announce(event.slug);
    }
  }

  #runnable(slug: string, { evenDeleted = false } = {}): void {
    if (evenDeleted) {
      if (!this.#store.find(slug)) throw new NotFoundError('event');
    } else this.get(slug);
    if (this.isMirror) throw new InvalidStateError('events are run at the origin server, not an edge');
  }

  #replaceKeyHash(slug: string, keyHash: string): void {
    this.#store.updateKeyHash(slug, keyHash);
    this.#keyStates.set(slug, { keyHash, deleted: false });
    this.emit('keysChanged', slug);
  }

  /**
   * Tells listeners of keys rotated or revoked, and events deleted, by another process sharing the
   * database, as if done here: its organizers are dropped and its followers told within a second,
   * not only at their next action.
   */
  readonly #checkSharedChanges = (): void => {
    if (!this.#store.changedElsewhere()) return;
    const before = this.#keyStates;
    this.#keyStates = this.#store.keyStates();
    for (const [slug, state] of this.#keyStates) {
      // An event new to this process may have been created and its key changed between two checks,
      // while an organizer here joined with the first key: asked about as a changed one.
      const known = before.get(slug);
      if (state.deleted && !known?.deleted) this.emit('deleted', slug);
      else if (state.keyHash !== known?.keyHash) this.emit('keysChanged', slug);
    }
  };

  readonly #onInstanceKeyRotated = (): void => {
    this.emit('keysChanged');
  };

  /**
   * Writes a status decided on `event` as read: refused when the event changed since (only another
   * process sharing the database can have changed it in between), never applied over a newer state.
   */
  #setStatus(event: PublicEvent): PublicEvent {
    if (!this.#store.updateStatus(event, event.revision)) throw changedMeanwhile();
    return this.#announce(event.slug);
  }

  /** The event as stored after a change (with its new revision), told to listeners. */
  #announce(slug: string): PublicEvent {
    const event = this.get(slug);
    this.emit('updated', event);
    return event;
  }
}

/** The hash of a key nobody was ever given: a key slot that nothing opens. */
function unusableKeyHash(): string {
  return hashKey(generateKey());
}

export function toPublic({ keyHash: _keyHash, deletedAt: _deletedAt, ...event }: StoredEvent): PublicEvent {
  return event;
}

/** Readable where the title allows it, unguessable-enough suffix so two "Rally" events never collide. */
function makeSlug(title: string): string {
  const words = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const suffix = crypto.randomBytes(4).toString('hex');
  return words ? `${words}-${suffix}` : `event-${suffix}`;
}
