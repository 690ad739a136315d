import type { ChatFeed } from '../../../shared/chat';
import type { PlaybackState } from '../player/Playback';
import type { AttendeeChoices } from '../player/PlaybackOwner';

/**
 * The full feed comes back only after the link has allowed it this long: a link that recovers for a
 * moment would otherwise pull every message in just as the speech needs the room again.
 */
export const FULL_FEED_HOLD_MS = 20_000;

export type ChatLinkState = Pick<PlaybackState, 'mode' | 'audioOnlyReason' | 'linkQuality'> & Pick<AttendeeChoices, 'dataSaver'>;

/**
 * Whether the chat should leave the link to the speech: the player went audio-only because the link
 * could not carry video, the link does not carry even the sound steadily (below the speech's need, so
 * certainly below speech and every chat message), or the attendee asked to save data.
 */
export function linkWantsLowDataChat({ mode, audioOnlyReason, linkQuality, dataSaver }: ChatLinkState): boolean {
  return dataSaver || linkQuality === 'very weak' || (mode === 'audio' && audioOnlyReason === 'slow connection');
}

/**
 * The chat feed the link calls for, with hysteresis as the player's mode has: low-data at once (the
 * speech must keep playing), full again only once the link has allowed it for `holdMs`.
 */
export class ChatFeedDecision {
  readonly #holdMs: number;
  #feed: ChatFeed = 'full';
  /** Since when a low-data feed's link has allowed the full one; null while it does not. */
  #allowedSince: number | null = null;

  constructor(holdMs = FULL_FEED_HOLD_MS) {
    this.#holdMs = holdMs;
  }

  get feed(): ChatFeed {
    return this.#feed;
  }

  /** When to observe again, with nothing new, for the full feed to come back; null when nothing waits. */
  get recheckAt(): number | null {
    return this.#allowedSince === null ? null : this.#allowedSince + this.#holdMs;
  }

  observe(nowMs: number, wantsLowData: boolean): ChatFeed {
    if (wantsLowData) {
      this.#feed = 'low';
      this.#allowedSince = null;
    } else if (this.#feed === 'low') {
      this.#allowedSince ??= nowMs;
      if (nowMs - this.#allowedSince >= this.#holdMs) {
        this.#feed = 'full';
        this.#allowedSince = null;
      }
    }
    return this.#feed;
  }
}
