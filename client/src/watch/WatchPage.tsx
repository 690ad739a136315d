import { useEffect } from 'react';
import { formatDateTime } from '../app/formatDateTime';
import { Link } from '../app/Link';
import { useClosable } from '../lib/useClosable';
import { useStateStore } from '../lib/StateStore';
import { QUALITIES, WatchSession, type Quality, type WatchState } from '../player/WatchSession';
import { StreamPlayer } from './StreamPlayer';

const QUALITY_LABELS: Record<Quality, string> = { auto: 'Auto', low: 'Low', medium: 'Medium', high: 'High' };
const LAYER_LABELS = ['Low', 'Medium', 'High'];

function isQuality(value: string): value is Quality {
  return (QUALITIES as readonly string[]).includes(value);
}

function notice(state: WatchState): string | null {
  switch (state.connection) {
    case 'waiting for the event to start': {
      const when = state.event?.scheduledAt;
      return [
        'The event has not started yet.',
        when ? `It is scheduled for ${formatDateTime(when)}.` : null,
        'This page starts playing when it goes live.',
      ]
        .filter((sentence) => sentence !== null)
        .join(' ');
    }
    case 'ended':
      return 'The event has ended.';
    case 'not found':
      return 'There is no event at this address.';
    case 'reconnecting':
      return 'Connection lost, reconnecting…';
    case 'failed':
      return state.problem;
    case 'connecting':
    case 'connected':
      return null;
  }
}

function placeholder(state: WatchState): string {
  if (state.audioOnly) return 'Audio only: video is off to save data.';
  if (state.event?.status === 'live') return 'Waiting for video…';
  return 'No video yet.';
}

function WatchView({ session }: { session: WatchSession }) {
  const state = useStateStore(session.store);
  const title = state.event?.title;

  useEffect(() => {
    if (title === undefined) return;
    document.title = `${title} · Jalsa`;
    return () => {
      document.title = 'Jalsa';
    };
  }, [title]);

  const message = notice(state);
  const playable = state.connection !== 'ended' && state.connection !== 'not found';
  const problem = state.connection === 'failed' ? null : state.problem;

  return (
    <section className="watch">
      <h1 data-testid="event-title">{title ?? ''}</h1>
      <p className="connection">
        Connection: <span data-testid="connection-state">{state.connection}</span>
      </p>
      {message !== null && <p className="notice">{message}</p>}
      {problem !== null && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {playable && (
        <>
          <StreamPlayer
            audioTrack={state.audioTrack}
            videoTrack={state.videoTrack}
            showVideo={!state.audioOnly}
            placeholder={placeholder(state)}
          />
          <div className="controls">
            <label>
              <input
                type="checkbox"
                data-testid="audio-only-toggle"
                checked={state.audioOnly}
                onChange={(event) => session.setAudioOnly(event.target.checked)}
              />{' '}
              Audio only (uses far less data)
            </label>
            <label>
              Quality{' '}
              <select
                data-testid="quality-select"
                value={state.quality}
                onChange={(event) => {
                  if (isQuality(event.target.value)) session.setQuality(event.target.value);
                }}
              >
                {QUALITIES.map((quality) => (
                  <option key={quality} value={quality}>
                    {QUALITY_LABELS[quality]}
                  </option>
                ))}
              </select>
            </label>
            {state.receivingLayer !== null && !state.audioOnly && (
              <span className="muted">Receiving: {LAYER_LABELS[state.receivingLayer] ?? state.receivingLayer}</span>
            )}
          </div>
        </>
      )}
      <p className="footer-link">
        <Link to="/">More events</Link>
      </p>
    </section>
  );
}

export function WatchPage({ slug }: { slug: string }) {
  const session = useClosable(() => new WatchSession(slug));
  return session === null ? null : <WatchView session={session} />;
}
