import { OrganizerKey } from '../../../shared/events';

const INSTANCE_KEY_ITEM = 'jalsa.organizerKey';
const EVENT_KEY_PREFIX = 'jalsa.eventKey.';

function eventKeyItem(slug: string): string {
  return `${EVENT_KEY_PREFIX}${slug}`;
}

// Storage can be unavailable (private browsing, blocked site data); the studio then simply asks for the key again.
function read(item: string): string | null {
  try {
    const value = localStorage.getItem(item);
    return value !== null && OrganizerKey.safeParse(value).success ? value : null;
  } catch {
    return null;
  }
}

function write(item: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(item);
    else localStorage.setItem(item, value);
  } catch {
    // Not remembered; see read().
  }
}

export function loadInstanceKey(): string | null {
  return read(INSTANCE_KEY_ITEM);
}

export function saveInstanceKey(key: string | null): void {
  write(INSTANCE_KEY_ITEM, key);
}

export function loadEventKey(slug: string): string | null {
  return read(eventKeyItem(slug));
}

export function saveEventKey(slug: string, key: string | null): void {
  write(eventKeyItem(slug), key);
}

/** The events whose own key this device remembers. */
export function heldEventSlugs(): Set<string> {
  const slugs = new Set<string>();
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const item = localStorage.key(i);
      if (item?.startsWith(EVENT_KEY_PREFIX) && read(item) !== null) slugs.add(item.slice(EVENT_KEY_PREFIX.length));
    }
  } catch {
    // See read(): without storage, no key is remembered.
  }
  return slugs;
}

/**
 * The key a studio tab runs its event with once the event's own key was rotated (`newEventKey`) or revoked
 * (null): a tab on the instance key keeps it, as that key did not change; a tab on the old event key takes
 * the new one, or has none left.
 */
export function studioKeyAfterChange(current: string, instanceKey: string | null, newEventKey: string | null): string | null {
  return current === instanceKey ? current : newEventKey;
}
