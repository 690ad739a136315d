import type { DeliveryMode, Role } from '../../shared/signalling';
import { InvalidStateError } from '../errors';

interface Member {
  slug: string;
  role: Role;
  /** Undefined until the connection reports how it plays. */
  mode: DeliveryMode | undefined;
}

export type PlaybackCounts = Record<DeliveryMode, number>;

/**
 * Who follows each event through this server: organizers (who get the live figures) and attendees with
 * the way their player says it receives. One entry per `/media` connection, gone when it disconnects.
 */
export class EventAudience {
  readonly #members = new Map<string, Member>();

  member(connectionId: string): Readonly<Member> | undefined {
    return this.#members.get(connectionId);
  }

  joined(connectionId: string, slug: string, role: Role): void {
    const previous = this.#members.get(connectionId);
    // Joining the same event again (after a `reconnect` notification) does not change how it plays.
    const mode = previous?.slug === slug ? previous.mode : undefined;
    this.#members.set(connectionId, { slug, role, mode });
  }

  reportPlayback(connectionId: string, mode: DeliveryMode): void {
    const member = this.#members.get(connectionId);
    if (!member) throw new InvalidStateError('join an event first');
    member.mode = mode;
  }

  left(connectionId: string): void {
    this.#members.delete(connectionId);
  }

  /** Reported playback modes per event, in one pass over the connections. */
  playbackCounts(): Map<string, PlaybackCounts> {
    const counts = new Map<string, PlaybackCounts>();
    for (const { slug, mode } of this.#members.values()) {
      if (mode === undefined) continue;
      let event = counts.get(slug);
      if (!event) {
        event = emptyCounts();
        counts.set(slug, event);
      }
      event[mode] += 1;
    }
    return counts;
  }

  /** Events with at least one organizer connected here. */
  organizedEvents(): Set<string> {
    const slugs = new Set<string>();
    for (const { slug, role } of this.#members.values()) if (role === 'organizer') slugs.add(slug);
    return slugs;
  }
}

export function emptyCounts(): PlaybackCounts {
  return { webrtc: 0, 'hls-video': 0, 'audio-only': 0 };
}
