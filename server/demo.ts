import { serve } from './serve';
import { DemoBroadcast } from './sfu/DemoBroadcast';

await serve((server, logger) => DemoBroadcast.start(server, logger));
