import { useEffect, useRef, useState, type ReactNode } from 'react';
import { isOver } from '../../../shared/events';
import { isOrganizerKeyAccepted, revokeEventKey, rotateEventKey } from '../app/api';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { problemText } from '../i18n/problemText';
import type { Problem } from '../lib/Problem';
import { Link } from '../app/Link';
import { navigate } from '../app/router';
import { useClosable } from '../lib/useClosable';
import { useStateStore } from '../lib/StateStore';
import { ChatPanel } from '../chat/ChatPanel';
import { EventDashboard } from './EventDashboard';
import { UplinkHealth } from './UplinkHealth';
import { EventKeyControls, RevokedKeyNotice, RotatedKeyNotice } from './EventKeyControls';
import { EventManageControls } from './EventManageControls';
import { FileBroadcastForm } from './FileBroadcastForm';
import { MirrorsForm } from './MirrorsForm';
import { WhipSettings } from './WhipSettings';
import { PictureForm } from './PictureForm';
import { RtmpSettings } from './RtmpSettings';
import { KeyForm } from './KeyForm';
import { OrganizerSession } from './OrganizerSession';
import { loadEventKey, loadInstanceKey, saveEventKey, saveInstanceKey, studioKeyAfterChange } from './organizerKeys';

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
  /** Shown only once the server accepted this tab as the event's organizer. */
  keyControls: ReactNode;
}

function EventStudioView({ session, slug, organizerKey, onKeyRejected, keyControls }: EventStudioViewProps) {
  const messages = useMessages();
  const t = messages.studio;
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
        <h1>{t.noSuchEvent}</h1>
        <p>
          {t.noSuchEventText(slug)} <Link to="/studio">{t.backToStudio}</Link>
        </p>
      </section>
    );
  }

  const endEvent = () => {
    if (window.confirm(t.confirmEnd)) void session.endEvent();
  };

  return (
    <section className="studio-event">
      <p>
        <Link to="/studio">{t.allEvents}</Link>
      </p>
      <h1>{state.event?.title ?? slug}</h1>
      <dl className="facts">
        <dt>{t.statusLabel}</dt>
        <dd>
          <span data-testid="event-status" data-status={status ?? ''}>
            {status === undefined ? '' : t.status[status]}
          </span>
        </dd>
        <dt>{t.publishingLabel}</dt>
        <dd>
          <span data-testid="publish-state" data-state={state.publish}>
            {t.publish[state.publish]}
          </span>
        </dd>
        <dt>{t.watchLinkLabel}</dt>
        <dd>
          <Link to={watchPath}>{`${window.location.origin}${watchPath}`}</Link>
        </dd>
      </dl>
      {state.recording?.state === 'failed' && (
        <p className="problem" role="alert" data-testid="recording-problem">
          {t.recordingFailed(state.recording.message)}
        </p>
      )}
      {state.connection === 'reconnecting' && (
        <p className="notice">{t.reconnecting}</p>
      )}
      <CameraPreview camera={state.camera} />
      {state.cameraProblem !== null && (
        <p className="problem" role="alert" data-testid="camera-problem">
          {state.insecurePage
            ? problemText(messages, state.cameraProblem)
            : t.cameraUnavailable(problemText(messages, state.cameraProblem))}
        </p>
      )}
      {state.microphoneProblem !== null && (
        <p className="problem" role="alert" data-testid="microphone-problem">
          {t.noMicrophone(problemText(messages, state.microphoneProblem))}
        </p>
      )}
      {status === 'live' && state.publish === 'publishing' && state.camera === null && (
        <p className="notice" data-testid="camera-off-note">
          {t.cameraOffLive}
        </p>
      )}
      {state.fileBroadcast !== null && status === 'live' && (
        <p className="notice" role="status" data-testid="file-broadcast-state" data-state={state.fileBroadcast.state}>
          {t.fileState(state.fileBroadcast)}
        </p>
      )}
      <div className="controls">
        <button
          data-testid="go-live"
          type="button"
          className="primary"
          disabled={
            status !== 'scheduled' || state.microphone === null || state.connection !== 'connected' || state.busy
          }
          onClick={() => void session.goLive()}
        >
          {t.goLive}
        </button>
        {!state.insecurePage && (
          <button
            data-testid="camera-toggle"
            type="button"
            disabled={state.cameraSwitching || status === 'ended'}
            onClick={() => void session.setCamera(state.camera === null)}
          >
            {state.camera === null ? t.cameraOn : t.cameraOff}
          </button>
        )}
        <button
          data-testid="end-event"
          type="button"
          className="danger"
          disabled={status === undefined || isOver(status) || state.connection !== 'connected' || state.busy}
          onClick={endEvent}
        >
          {t.endEvent}
        </button>
        {state.publish === 'failed' && status === 'live' && (
          <button type="button" onClick={() => session.retry()}>
            {t.retryNow}
          </button>
        )}
        {state.publish === 'file' && status === 'live' && (
          <button type="button" disabled={state.busy} onClick={() => void session.useCamera()}>
            {t.useCamera}
          </button>
        )}
      </div>
      {status === 'live' && state.publish === 'publishing' && <UplinkHealth report={state.uplink} />}
      {status === 'live' && <EventDashboard stats={state.stats} />}
      {state.access === 'granted' && <ChatPanel key={`${slug}:${organizerKey}`} slug={slug} organizerKey={organizerKey} />}
      {status !== undefined && !isOver(status) && state.publish !== 'file' && (
        <FileBroadcastForm
          disabled={state.busy || state.connection !== 'connected'}
          upload={state.upload}
          onSubmit={(media, image, atEnd) => session.broadcastFile(media, image, atEnd)}
          onCancel={() => session.cancelUpload()}
        />
      )}
      {state.access === 'granted' && status !== undefined && !isOver(status) && (
        <RtmpSettings
          slug={slug}
          organizerKey={organizerKey}
          connected={state.connection === 'connected'}
          news={state.rtmpIngest}
          onUseMicrophone={status === 'live' && state.publish === 'idle' ? () => session.retry() : undefined}
        />
      )}
      {status !== undefined && !isOver(status) && state.publish !== 'file' && <WhipSettings slug={slug} organizerKey={organizerKey} />}
      {status !== 'ended' && (
        <PictureForm disabled={state.busy} saved={state.pictureSaved} onSubmit={(picture) => session.setPicture(picture)} />
      )}
      {state.access === 'granted' && status !== undefined && status !== 'cancelled' && (
        <MirrorsForm slug={slug} organizerKey={organizerKey} />
      )}
      <ProblemAlert problem={state.problem} testId="studio-problem" />
      {state.access === 'granted' && state.event !== null && (
        <EventManageControls
          event={state.event}
          organizerKey={organizerKey}
          onChanged={(event) => session.adoptEvent(event)}
          onDeleted={() => {
            saveEventKey(slug, null);
            navigate('/studio');
          }}
        />
      )}
      {state.access === 'granted' && keyControls}
    </section>
  );
}

interface EventStudioProps {
  slug: string;
  organizerKey: string;
  onKeyRejected: () => void;
  keyControls: ReactNode;
}

function EventStudio({ slug, organizerKey, ...rest }: EventStudioProps) {
  const session = useClosable(() => new OrganizerSession(slug, organizerKey));
  return session === null ? null : <EventStudioView session={session} slug={slug} organizerKey={organizerKey} {...rest} />;
}

/** The event key's last change in this tab: the new key (shown once), or null for a revocation. */
interface KeyChange {
  newEventKey: string | null;
}

export function EventStudioPage({ slug }: { slug: string }) {
  const t = useMessages().studio;
  const [organizerKey, setOrganizerKey] = useState(() => loadInstanceKey() ?? loadEventKey(slug));
  const [keyProblem, setKeyProblem] = useState<Problem | null>(null);
  const [keyChange, setKeyChange] = useState<KeyChange | null>(null);
  /**
   * Set while this tab changes the event key: the server drops the sockets on the old key, possibly before
   * its answer arrives, and that refusal must not make the studio forget the key it is about to replace.
   */
  const changingKey = useRef(false);

  if (organizerKey === null) {
    return (
      <KeyForm
        heading={t.eventKeyHeading}
        check={(key) => isOrganizerKeyAccepted(key, slug)}
        onAccepted={(key) => {
          saveEventKey(slug, key);
          setKeyProblem(null);
          setOrganizerKey(key);
        }}
        initialProblem={keyProblem}
      >
        <p>{t.eventKeyHelp(slug)}</p>
      </KeyForm>
    );
  }

  const forgetKey = () => {
    if (changingKey.current) return;
    if (loadInstanceKey() === organizerKey) saveInstanceKey(null);
    if (loadEventKey(slug) === organizerKey) saveEventKey(slug, null);
    setKeyProblem({ kind: 'key', problem: 'savedRejected' });
    setOrganizerKey(null);
  };

  /** Rotates (or revokes) the event key; the tab's sockets reconnect with the key it runs on afterwards. */
  const changeKey = async (change: () => Promise<string | null>) => {
    changingKey.current = true;
    try {
      const newEventKey = await change();
      saveEventKey(slug, newEventKey);
      setKeyChange({ newEventKey });
      const next = studioKeyAfterChange(organizerKey, loadInstanceKey(), newEventKey);
      if (next === null) {
        setKeyProblem({ kind: 'key', problem: 'revoked' });
      }
      setOrganizerKey(next);
    } finally {
      changingKey.current = false;
    }
  };

  const keyControls = (
    <EventKeyControls
      onRotate={() => changeKey(() => rotateEventKey(organizerKey, slug))}
      onRevoke={() => changeKey(async () => {
        await revokeEventKey(organizerKey, slug);
        return null;
      })}
    />
  );
  return (
    <>
      {keyChange !== null &&
        (keyChange.newEventKey === null ? <RevokedKeyNotice /> : <RotatedKeyNotice organizerKey={keyChange.newEventKey} />)}
      <EventStudio key={organizerKey} slug={slug} organizerKey={organizerKey} onKeyRejected={forgetKey} keyControls={keyControls} />
    </>
  );
}
