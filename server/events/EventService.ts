import crypto from 'node:crypto';
import type { CreateEventRequest, CreateEventResponse, PublicEvent } from '../../shared/events';
import { InvalidStateError, NotFoundError } from '../errors';
import { SafeEmitter } from '../SafeEmitter';
import type { EventStore, StoredEvent } from './EventStore';
import { generateKey, hashKey, keyMatchesHash } from './organizerKeys';
import type { OriginEventSource } from './OriginEventSource';

export interface EventServiceEvents {
  /** Any change of an event's status. */
  updated: [event: PublicEvent];
}

/**
 * The one place event state lives: creation, the scheduled → live → ended lifecycle, and who may
 * act as an event's organizer.
 */
export class EventService extends SafeEmitter<EventServiceEvents> {
  readonly #store: EventStore;
  readonly #instanceKey: string;
  readonly #origin: OriginEventSource | undefined;

  /** With an `origin`, this server is an edge: its events are copies of the origin's. */
  constructor(store: EventStore, instanceKey: string, origin?: OriginEventSource) {
    super();
    this.#store = store;
    this.#instanceKey = instanceKey;
    this.#origin = origin;
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
    const a = Buffer.from(hashKey(key), 'hex');
    const b = Buffer.from(hashKey(this.#instanceKey), 'hex');
    return crypto.timingSafeEqual(a, b);
  }

  /** True when `key` may run this event: the instance key, or the event's own key. */
  isOrganizer(slug: string, key: string): boolean {
    const event = this.#store.find(slug);
    if (!event || this.isMirror) return false;
    return this.isInstanceKey(key) || keyMatchesHash(key, event.keyHash);
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
      this.#store.insert({ ...event, keyHash: hashKey(generateKey()) });
      return;
    }
    if (local.status !== event.status) this.#setStatus(event);
  }

  #setStatus(event: PublicEvent): PublicEvent {
    this.#store.updateStatus(event);
    this.emit('updated', event);
    return event;
  }
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
