import { PublicEvent } from '../../../shared/events';
import { recordingUrls } from '../../../shared/recordingLayout';
import { eventPathways, fetchOnPathways } from './pathwayFetch';
import { TransferMeter } from './TransferMeter';

/**
 * The event as a mirror describes it (`event.json`, pushed by the mirror kit next to the recording):
 * what the watch page goes by when the server's signalling cannot be reached, e.g. a page loaded from a
 * static mirror, which has no API or sockets. Fetched from the event's pathways, so a page whose own
 * host is blocked finds it on a mirror too. Null when no pathway has one (the origin serves none: it has
 * its API), or when what came is not this event's description.
 */
export async function fetchEventDescription(slug: string): Promise<PublicEvent | null> {
  try {
    const { body } = await fetchOnPathways(eventPathways(slug), recordingUrls(slug).eventDescription, new TransferMeter());
    const event = PublicEvent.safeParse(JSON.parse(new TextDecoder().decode(body)));
    return event.success && event.data.slug === slug ? event.data : null;
  } catch {
    return null;
  }
}
