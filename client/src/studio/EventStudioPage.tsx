import { useEffect, useRef, useState } from 'react';
import { isOrganizerKeyAccepted } from '../app/api';
import { Link } from '../app/Link';
import { useClosable } from '../lib/useClosable';
import { useStateStore } from '../lib/StateStore';
import { ChatPanel } from '../chat/ChatPanel';
import { EventDashboard } from './EventDashboard';
import { FileBroadcastForm } from './FileBroadcastForm';
import { KeyForm } from './KeyForm';
import { OrganizerSession } from './OrganizerSession';
import { loadEventKey, loadInstanceKey, saveEventKey, saveInstanceKey } from './organizerKeys';

function CameraPreview({ camera }: { camera: MediaStream | null }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (videoRef.current) videoRef.current.srcObject = camera;
  }, [camera]);
  return <video className="preview" ref={videoRef} autoPlay playsInline muted />;
}

interface EventStudioViewProps {
  session: OrganizerSession;
  slug: string;
  organizerKey: string;
  onKeyRejected: () => void;
}

function EventStudioView({ session, slug, organizerKey, onKeyRejected }: EventStudioViewProps) {
  const state = useStateStore(session.store);
  const status = state.event?.status;
  const watchPath = `/e/${slug}`;
  const rejected = state.access === 'rejected';

  useEffect(() => {
    if (rejected) onKeyRejected();
  }, [rejected, onKeyRejected]);

  if (state.access === 'not found') {
    return (
      <section>
        <h1>No such event</h1>
        <p>
          There is no event called “{slug}”. <Link to="/studio">Back to the studio</Link>
        </p>
      </section>
    );
  }

  const endEvent = () => {
    if (window.confirm('End this event for everyone? It cannot be restarted.')) void session.endEvent();
  };

  return (
    <section className="studio-event">
      <p>
        <Link to="/studio">← All events</Link>
      </p>
      <h1>{state.event?.title ?? slug}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span data-testid="event-status">{status ?? ''}</span>
        </dd>
        <dt>Publishing</dt>
        <dd>
          <span data-testid="publish-state">{state.publish}</span>
        </dd>
        <dt>Watch link</dt>
        <dd>
          <Link to={watchPath}>{`${window.location.origin}${watchPath}`}</Link>
        </dd>
      </dl>
      {state.recording?.state === 'failed' && (
        <p className="problem" role="alert" data-testid="recording-problem">
          Recording has failed{state.recording.message ? `: ${state.recording.message}` : ''}.
        </p>
      )}
      {state.connection === 'reconnecting' && (
        <p className="notice">Connection lost, reconnecting… Publishing resumes by itself.</p>
      )}
      <CameraPreview camera={state.camera} />
      {state.cameraProblem !== null && (
        <p className="problem" role="alert">
          {state.cameraProblem}
        </p>
      )}
      <div className="controls">
        <button
          data-testid="go-live"
          type="button"
          className="primary"
          disabled={
            status !== 'scheduled' || state.camera === null || state.connection !== 'connected' || state.busy
          }
          onClick={() => void session.goLive()}
        >
          Go live
        </button>
        <button
          data-testid="end-event"
          type="button"
          className="danger"
          disabled={status === undefined || status === 'ended' || state.connection !== 'connected' || state.busy}
          onClick={endEvent}
        >
          End event
        </button>
        {state.publish === 'failed' && status === 'live' && (
          <button type="button" onClick={() => session.retry()}>
            Retry now
          </button>
        )}
        {state.publish === 'file' && status === 'live' && (
          <button type="button" disabled={state.busy} onClick={() => void session.useCamera()}>
            Stop the recording and use the camera
          </button>
        )}
      </div>
      {status === 'live' && <EventDashboard stats={state.stats} />}
      {state.access === 'granted' && <ChatPanel key={`${slug}:${organizerKey}`} slug={slug} organizerKey={organizerKey} />}
      {status !== 'ended' && state.publish !== 'file' && (
        <FileBroadcastForm
          disabled={state.busy || state.connection !== 'connected'}
          upload={state.upload}
          onSubmit={(media, image) => session.broadcastFile(media, image)}
          onCancel={() => session.cancelUpload()}
        />
      )}
      {state.problem !== null && (
        <p className="problem" role="alert">
          {state.problem}
        </p>
      )}
    </section>
  );
}

interface EventStudioProps {
  slug: string;
  organizerKey: string;
  onKeyRejected: () => void;
}

function EventStudio({ slug, organizerKey, onKeyRejected }: EventStudioProps) {
  const session = useClosable(() => new OrganizerSession(slug, organizerKey));
  return session === null ? null : <EventStudioView session={session} slug={slug} organizerKey={organizerKey} onKeyRejected={onKeyRejected} />;
}

export function EventStudioPage({ slug }: { slug: string }) {
  const [organizerKey, setOrganizerKey] = useState(() => loadInstanceKey() ?? loadEventKey(slug));
  const [rejected, setRejected] = useState(false);

  if (organizerKey === null) {
    return (
      <KeyForm
        heading="Event studio"
        check={(key) => isOrganizerKeyAccepted(key, slug)}
        onAccepted={(key) => {
          saveEventKey(slug, key);
          setOrganizerKey(key);
        }}
        initialProblem={rejected ? 'The saved key is not accepted for this event.' : null}
      >
        <p>
          Paste the event key shown when “{slug}” was created, or the instance organizer key. It is remembered on
          this device only.
        </p>
      </KeyForm>
    );
  }

  const forgetKey = () => {
    if (loadInstanceKey() === organizerKey) saveInstanceKey(null);
    if (loadEventKey(slug) === organizerKey) saveEventKey(slug, null);
    setRejected(true);
    setOrganizerKey(null);
  };
  return <EventStudio key={organizerKey} slug={slug} organizerKey={organizerKey} onKeyRejected={forgetKey} />;
}
