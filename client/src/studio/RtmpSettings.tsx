import { useEffect, useState } from 'react';
import { rtmpStreamKey, type RtmpIngestStatus, type RtmpSettingsResponse } from '../../../shared/rtmp';
import { getRtmpSettings } from '../app/api';
import { useMessages } from '../i18n/language';
import { ProblemAlert } from '../i18n/ProblemAlert';
import { problemOf, type Problem } from '../lib/Problem';
import { KeyWithCopy } from './KeyWithCopy';

interface RtmpSettingsProps {
  slug: string;
  /** The key this tab runs the event with: the stream key carries it. */
  organizerKey: string;
  /** The studio's connection is up: the settings are read (again), covering news missed while it was down. */
  connected: boolean;
  /** The latest notification of the encoder's status (see OrganizerState.rtmpIngest). */
  news: { status: RtmpIngestStatus | null } | null;
  /** Offered once the encoder dropped while the event is live: this tab sends its microphone (and camera) instead. */
  onUseMicrophone: (() => void) | undefined;
}

/**
 * What OBS (or any RTMP encoder) needs to go live in this event, to copy and paste, and whether an
 * encoder is sending. The stream key is made here from the key the tab already holds, never sent by
 * the server, and stays folded away until asked for: organizers share their screen.
 */
export function RtmpSettings({ slug, organizerKey, connected, news, onUseMicrophone }: RtmpSettingsProps) {
  const t = useMessages().studio.rtmp;
  const [settings, setSettings] = useState<RtmpSettingsResponse | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    if (!connected) return;
    let current = true;
    getRtmpSettings(organizerKey, slug).then(
      (answer) => {
        if (!current) return;
        setSettings(answer);
        setProblem(null);
      },
      (error: unknown) => {
        if (current) setProblem(problemOf(error));
      },
    );
    return () => {
      current = false;
    };
  }, [slug, organizerKey, connected]);

  useEffect(() => {
    if (news) setSettings((previous) => previous && { ...previous, status: news.status });
  }, [news]);

  const state = settings?.status?.state ?? 'waiting';
  return (
    <section className="rtmp-settings" data-testid="rtmp-settings">
      <h2>{t.heading}</h2>
      <ProblemAlert problem={problem} />
      {settings !== null && settings.serverUrl === null && <p>{t.off}</p>}
      {settings?.serverUrl && (
        <>
          <p className={state === 'disconnected' ? 'problem' : 'notice'} role="status" data-testid="rtmp-state" data-state={state}>
            {t.state[state]}
          </p>
          {state === 'disconnected' && onUseMicrophone && (
            <button type="button" data-testid="rtmp-use-microphone" onClick={onUseMicrophone}>
              {t.useMicrophone}
            </button>
          )}
          <p>{t.intro}</p>
          <dl className="facts">
            <dt>{t.serverUrlLabel}</dt>
            <dd>
              <KeyWithCopy organizerKey={settings.serverUrl} testId="rtmp-server-url" />
            </dd>
            <dt>{t.streamKeyLabel}</dt>
            <dd>
              <details>
                <summary>{t.showStreamKey}</summary>
                <KeyWithCopy organizerKey={rtmpStreamKey(slug, organizerKey)} testId="rtmp-stream-key" />
                <p>{t.streamKeyWarning}</p>
              </details>
            </dd>
          </dl>
        </>
      )}
    </section>
  );
}
