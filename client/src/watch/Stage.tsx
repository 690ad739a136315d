import { useEffect, useRef } from 'react';
import { useMessages } from '../i18n/language';
import type { MediaElements, PlaybackState } from '../player/Playback';

interface StageProps {
  state: PlaybackState;
  /** Receives the media elements once rendered, and null before they go. */
  onElements(elements: MediaElements | null): void;
  onListen(): void;
  /** Text over the stage when there is no picture to show. */
  placeholder: string | null;
  /** Native controls on the playing element, for seeking in a recording. */
  controls: boolean;
}

/**
 * The two media elements a playback drives — video (with its sound, or muted next to WebRTC's audio)
 * and audio (the audio-only rung, or WebRTC's sound) — and, without video, the still picture of the stage.
 */
export function Stage({ state, onElements, onListen, placeholder, controls }: StageProps) {
  const t = useMessages();
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const onElementsRef = useRef(onElements);

  useEffect(() => {
    const report = onElementsRef.current;
    if (videoRef.current && audioRef.current) report({ video: videoRef.current, audio: audioRef.current });
    return () => report(null);
  }, []);

  const video = state.mode === 'video';
  return (
    <div className="stage" data-testid="stage" data-mode={state.mode}>
      <video data-testid="watch-video" ref={videoRef} playsInline hidden={!video} controls={controls && video} />
      {!video && state.posterUrl !== null && (
        <img data-testid="stage-poster" className="stage-poster" src={state.posterUrl} alt={t.posterAlt} />
      )}
      {placeholder !== null && <p className="stage-placeholder">{placeholder}</p>}
      <audio data-testid="watch-audio" ref={audioRef} className="stage-audio" hidden={!controls || video} controls={controls} />
      {state.soundBlocked && (
        <button type="button" className="listen-button" onClick={onListen}>
          {t.tapToListen}
        </button>
      )}
    </div>
  );
}
