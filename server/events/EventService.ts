import crypto from 'node:crypto';
import type { CreateEventRequest, CreateEventResponse, EventKeyResponse, PublicEvent } from '../../shared/events';
import { InvalidStateError, NotFoundError } from '../errors';
import { SafeEmitter } from '../SafeEmitter';
import type { EventStore, StoredEvent } from './EventStore';
import { generateKey, hashesEqual, hashKey, type InstanceKey } from './organizerKeys';
import type { OriginEventSource } from './OriginEventSource';

export interface EventServiceEvents {
  /** Any change of an event's status. */
  updated: [event: PublicEvent];
  /**
   * Keys that admitted organizers may have stopped working: one event's key (`slug`) or the instance
   * key (no slug). Connections check again whether their key still runs their event.
   */
  keysChanged: [slug?: string];
}

/**
 * The one place event state lives: creation, the scheduled → live → ended lifecycle, and who may
 * act as an event's organizer.
 */
export class EventService extends SafeEmitter<EventServiceEvents> {
  readonly #store: EventStore;
  readonly #instanceKey: InstanceKey;
  readonly #origin: OriginEventSource | undefined;

  /** With an `origin`, this server is an edge: its events are copies of the origin's. */
  constructor(store: EventStore, instanceKey: InstanceKey, origin?: OriginEventSource) {
    super();
    this.#store = store;
    this.#instanceKey = instanceKey;
    this.#origin = origin;
    instanceKey.on('rotated', this.#onInstanceKeyRotated);
  }

  close(): void {
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
   * True while the key with this hash may run the event. Connections keep the hash of the key that
   * admitted them (not the key) and ask again, so a rotated or revoked key stops working at once.
   */
  keyHashRuns(slug: string, keyHash: string): boolean {
    const event = this.#store.find(slug);
    if (!event || this.isMirror) return false;
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
      scheduledAt: request.scheduledAt ? new Date(request.scheduledAt).toISOString() : null,
      startedAt: null,
      endedAt: null,
      createdAt: now.toISOString(),
    };
    this.#store.insert(event);
    return { event: toPublic(event), organizerKey };
  }

  get(slug: string): PublicEvent {
    const event = this.#store.find(slug);
    if (!event) throw new NotFoundError('event');
    return toPublic(event);
  }

  list(): PublicEvent[] {
    return this.#store.list().map(toPublic);
  }

  /** Idempotent while live, so an organizer whose connection dropped can publish again. */
  goLive(slug: string, now = new Date()): PublicEvent {
    const event = this.get(slug);
    if (event.status === 'live') return event;
    if (event.status === 'ended') throw new InvalidStateError('the event has ended');
    return this.#setStatus({ ...event, status: 'live', startedAt: now.toISOString() });
  }

  end(slug: string, now = new Date()): PublicEvent {
    const event = this.get(slug);
    if (event.status === 'ended') return event;
    return this.#setStatus({ ...event, status: 'ended', endedAt: now.toISOString() });
  }

  /**
   * On an edge SFU: keeps a copy of an origin's event. The copy gets a key nobody knows, so no one
   * can run the event here; organizers act on the origin.
   */
  mirror(event: PublicEvent): void {
    const local = this.#store.find(event.slug);
    if (!local) {
      this.#store.insert({ ...event, keyHash: unusableKeyHash() });
      return;
    }
    if (local.status !== event.status) this.#setStatus(event);
  }

  #runnable(slug: string): void {
    this.get(slug);
    if (this.isMirror) throw new InvalidStateError('events are run at the origin server, not an edge');
  }

  #replaceKeyHash(slug: string, keyHash: string): void {
    this.#store.updateKeyHash(slug, keyHash);
    this.emit('keysChanged', slug);
  }

  readonly #onInstanceKeyRotated = (): void => {
    this.emit('keysChanged');
  };

  #setStatus(event: PublicEvent): PublicEvent {
    this.#store.updateStatus(event);
    this.emit('updated', event);
    return event;
  }
}

/** The hash of a key nobody was ever given: a key slot that nothing opens. */
function unusableKeyHash(): string {
  return hashKey(generateKey());
}

function toPublic({ keyHash: _keyHash, ...event }: StoredEvent): PublicEvent {
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
