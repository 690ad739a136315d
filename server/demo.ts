import { serve } from './serve';
import { DemoBroadcast } from './sfu/DemoBroadcast';

await serve((server, logger) =>
  DemoBroadcast.start(
    { events: server.events, rooms: server.rooms, recordingFinished: (slug) => server.hls.finished(slug), url: server.url },
    logger,
  ),
);
