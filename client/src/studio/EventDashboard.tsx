import type { EventStats } from '../../../shared/signalling';
import { useMessages } from '../i18n/language';
import { kbps, percent } from './figures';

/** The organizer's live figures of the event, as the server last sent them. */
export function EventDashboard({ stats }: { stats: EventStats | null }) {
  const t = useMessages().studio;
  if (stats === null) return null;
  const { attendees, ingest, packager, chatPerMinute, webrtcSeats } = stats;
  const total = attendees.webrtc + attendees['hls-video'] + attendees['audio-only'];
  return (
    <section className="dashboard" aria-label={t.liveFigures} data-testid="event-dashboard">
      <h2>{t.liveFigures}</h2>
      <dl className="facts">
        <dt>{t.attendees}</dt>
        <dd data-testid="stats-attendees">
          {t.attendeeCounts(total, attendees.webrtc, attendees['hls-video'], attendees['audio-only'])}
        </dd>
        {ingest.map((stream) => (
          <div key={stream.kind} className="facts-row">
            <dt>{t.yourStream(stream.kind)}</dt>
            <dd data-testid={`stats-ingest-${stream.kind}`}>
              {t.streamFigures(kbps(stream.bitrateBps), percent(stream.lossFraction), stream.packetsLost)}
            </dd>
          </div>
        ))}
        {ingest.length === 0 && (
          <>
            <dt>{t.yourMedia}</dt>
            <dd data-testid="stats-ingest-none">{t.notReachingServer}</dd>
          </>
        )}
        <dt>{t.recorderLabel}</dt>
        <dd data-testid="stats-packager" className={packager === 'failed' ? 'problem' : undefined}>
          {t.recorder[packager]}
        </dd>
        <dt>{t.chatLabel}</dt>
        <dd data-testid="stats-chat">{t.perMinute(chatPerMinute)}</dd>
        <dt>{t.webrtcSeats}</dt>
        <dd data-testid="stats-seats">{t.seatsInUse(webrtcSeats.used, webrtcSeats.capacity)}</dd>
      </dl>
    </section>
  );
}
