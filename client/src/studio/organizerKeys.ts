import { OrganizerKey } from '../../../shared/events';

const INSTANCE_KEY_ITEM = 'jalsa.organizerKey';

function eventKeyItem(slug: string): string {
  return `jalsa.eventKey.${slug}`;
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

/**
 * The key a studio tab runs its event with once the event's own key was rotated (`newEventKey`) or revoked
 * (null): a tab on the instance key keeps it, as that key did not change; a tab on the old event key takes
 * the new one, or has none left.
 */
export function studioKeyAfterChange(current: string, instanceKey: string | null, newEventKey: string | null): string | null {
  return current === instanceKey ? current : newEventKey;
}
