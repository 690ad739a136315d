import { recordingUrls } from '../../../shared/recordingLayout';
import { Link } from '../app/Link';
import { ChatReplay } from '../chat/ChatReplay';
import { useMessages } from '../i18n/language';
import { useClosable } from '../lib/useClosable';
import { useStateStore } from '../lib/StateStore';
import { PlaybackControls } from '../watch/PlaybackControls';
import { Stage } from '../watch/Stage';
import { ReplaySession } from './ReplaySession';

function size(bytes: number | null): string {
  if (bytes === null) return '';
  return bytes < 1_000_000 ? ` (${Math.ceil(bytes / 1_000)} KB)` : ` (${(bytes / 1_000_000).toFixed(1)} MB)`;
}

function ReplayView({ session }: { session: ReplaySession }) {
  const t = useMessages();
  const state = useStateStore(session.store);
  const { replay } = state;
  return (
    <section className="replay">
      <p>
        <Link to="/replay">← {t.replayBack}</Link>
      </p>
      {state.status === 'loading' && <p className="muted">{t.loading}</p>}
      {state.status === 'not found' && <p className="notice">{t.replayNotFound}</p>}
      {state.status === 'failed' && (
        <p className="problem" role="alert">
          {t.replaysProblem}{' '}
          <button type="button" onClick={() => void session.load()}>
            {t.tryAgain}
          </button>
        </p>
      )}
      {replay !== null && (
        <>
          <h1 data-testid="replay-title">{replay.title}</h1>
          <p className="muted">
            {replay.startedAt !== null && `${t.dateTime(replay.startedAt)} · `}
            {t.duration(replay.durationSeconds)}
          </p>
          <Stage
            state={state}
            onElements={(elements) => session.attachMedia(elements)}
            onListen={() => session.resumeSound()}
            placeholder={state.mode === 'audio' && state.posterUrl === null && state.audioOnlyReason ? t.modeAudio[state.audioOnlyReason] : null}
            controls
          />
          <PlaybackControls
            state={state}
            onDataSaver={(on) => session.setDataSaver(on)}
            onQuality={(quality) => session.setQuality(quality)}
          />
          {replay.hasAudioDownload && (
            <p className="download">
              <a data-testid="audio-download" href={recordingUrls(replay.slug).audioDownload} download>
                {t.download(size(state.downloadBytes))}
              </a>
              <br />
              <span className="muted">{t.downloadNote}</span>
            </p>
          )}
          <ChatReplay key={replay.slug} slug={replay.slug} positionSeconds={state.position} />
        </>
      )}
    </section>
  );
}

export function ReplayPage({ slug }: { slug: string }) {
  const session = useClosable(() => new ReplaySession(slug));
  return session === null ? null : <ReplayView session={session} />;
}
