/**
 * Attendee counts across server processes: each reports how many attendees it has per event and
 * learns every event's total.
 */
export interface Presence {
  /** Reports this process's counts (0 for an event it no longer serves) and returns the totals. */
  totals(localCounts: ReadonlyMap<string, number>): Promise<Map<string, number>>;
  close(): Promise<void>;
}
