import type { EventStats, RecordingState } from '../../../shared/signalling';

const RECORDER: Record<RecordingState, string> = {
  idle: 'waiting for media',
  running: 'recording',
  restarting: 'restarting',
  failed: 'failing',
  stopped: 'stopped',
};

function kbps(bps: number): string {
  return `${Math.round(bps / 1000)} kbps`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.01 ? 1 : 0)} %`;
}

/** The organizer's live figures of the event, as the server last sent them. */
export function EventDashboard({ stats }: { stats: EventStats | null }) {
  if (stats === null) return null;
  const { attendees, ingest, packager, chatPerMinute, webrtcSeats } = stats;
  const total = attendees.webrtc + attendees['hls-video'] + attendees['audio-only'];
  return (
    <section className="dashboard" aria-label="Live figures" data-testid="event-dashboard">
      <h2>Live figures</h2>
      <dl className="facts">
        <dt>Attendees</dt>
        <dd data-testid="stats-attendees">
          {total} — {attendees.webrtc} WebRTC, {attendees['hls-video']} HLS video, {attendees['audio-only']} audio only
        </dd>
        {ingest.map((stream) => (
          <div key={stream.kind} className="facts-row">
            <dt>Your {stream.kind}</dt>
            <dd data-testid={`stats-ingest-${stream.kind}`}>
              {kbps(stream.bitrateBps)}, {percent(stream.lossFraction)} lost ({stream.packetsLost} packets in all)
            </dd>
          </div>
        ))}
        {ingest.length === 0 && (
          <>
            <dt>Your media</dt>
            <dd data-testid="stats-ingest-none">not reaching the server</dd>
          </>
        )}
        <dt>Recorder (HLS)</dt>
        <dd data-testid="stats-packager" className={packager === 'failed' ? 'problem' : undefined}>
          {RECORDER[packager]}
        </dd>
        <dt>Chat</dt>
        <dd data-testid="stats-chat">{chatPerMinute} per minute</dd>
        <dt>WebRTC seats</dt>
        <dd data-testid="stats-seats">
          {webrtcSeats.used} of {webrtcSeats.capacity} in use
        </dd>
      </dl>
    </section>
  );
}
