import type { LoadReport } from './chatLoad';
import { DeflateProbe } from './DeflateProbe';
import { LatencyHistogram } from './LatencyHistogram';

type Tallied = Extract<LoadReport, { type: 'progress' | 'meter' | 'report' }>;

/**
 * What a receiver process of bench/chat.ts counts, whichever client it uses (bench/chatLoad.ts's
 * Socket.io clients, bench/chatReceivers.ts's raw WebSockets), and its answers to the bench's questions.
 */
export class ReceiverTally {
  readonly histogram = new LatencyHistogram();
  /** Measured bench messages, each counted once per connection. */
  received = 0;
  duplicates = 0;
  /** Bench messages seen, measured or not (the meter's count). */
  messages = 0;
  /** On the process's first connection: what permessage-deflate would have made of its frames. */
  readonly probe = new DeflateProbe();

  answer(type: Tallied['type'], sockets: number, bytes: () => number): Tallied {
    switch (type) {
      case 'progress':
        return { type, received: this.received };
      case 'meter':
        return { type, sockets, bytes: bytes(), messages: this.messages, probe: this.probe.bytes() };
      case 'report':
        return { type, histogram: this.histogram.toSparse(), received: this.received, duplicates: this.duplicates };
    }
  }
}
