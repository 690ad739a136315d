import { useMessages } from '../i18n/language';
import { QUALITIES, type PlaybackState, type Quality } from '../player/Playback';

interface PlaybackControlsProps {
  state: PlaybackState & { dataSaver: boolean; quality: Quality };
  onDataSaver(on: boolean): void;
  onQuality(quality: Quality): void;
}

function isQuality(value: string): value is Quality {
  return (QUALITIES as readonly string[]).includes(value);
}

/** The last mode change and its rule, for whoever reads the page's markup (bench:throttle); not shown. */
function decisionText(decision: PlaybackState['modeDecision']): string | undefined {
  return decision ? `${decision.count} ${decision.mode} ${decision.rule}: ${decision.detail}` : undefined;
}

/** The attendee's two choices, and what is playing and how good the link is, in plain words. */
export function PlaybackControls({ state, onDataSaver, onQuality }: PlaybackControlsProps) {
  const t = useMessages();
  const mode =
    state.mode === 'video' || state.audioOnlyReason === null ? t.modeVideo(state.rendition) : t.modeAudio[state.audioOnlyReason];
  return (
    <>
      <p className="playback-status">
        <span data-testid="playback-mode" data-mode={state.mode} data-decision={decisionText(state.modeDecision)}>
          {mode}
        </span>
        {' · '}
        {t.linkLabel}:{' '}
        <span data-testid="link-quality" data-quality={state.linkQuality}>
          {t.link[state.linkQuality]}
        </span>
      </p>
      <div className="controls">
        <label>
          <input
            type="checkbox"
            data-testid="audio-only-toggle"
            checked={state.dataSaver}
            onChange={(event) => onDataSaver(event.target.checked)}
          />{' '}
          {t.dataSaver}
        </label>
        <label>
          {t.qualityLabel}{' '}
          <select
            data-testid="quality-select"
            value={state.quality}
            onChange={(event) => {
              if (isQuality(event.target.value)) onQuality(event.target.value);
            }}
          >
            {QUALITIES.map((quality) => (
              <option key={quality} value={quality}>
                {t.quality[quality]}
              </option>
            ))}
          </select>
        </label>
      </div>
    </>
  );
}
