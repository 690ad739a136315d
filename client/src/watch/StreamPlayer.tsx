import { useEffect, useRef, useState } from 'react';

interface StreamPlayerProps {
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  showVideo: boolean;
  placeholder: string;
}

function attach(element: HTMLMediaElement, track: MediaStreamTrack | null): void {
  element.srcObject = track ? new MediaStream([track]) : null;
}

/**
 * Sound plays from its own <audio> element because the <video> must stay muted to be allowed to autoplay.
 * When the browser still blocks sound until a gesture, the attendee gets a button to provide one.
 */
export function StreamPlayer({ audioTrack, videoTrack, showVideo, placeholder }: StreamPlayerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const [soundBlocked, setSoundBlocked] = useState(false);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    attach(video, videoTrack);
    // Muted autoplay is allowed almost everywhere; where it is not, the listen button starts the video too.
    if (videoTrack) video.play().catch(() => undefined);
  }, [videoTrack]);

  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    attach(audio, audioTrack);
    if (!audioTrack) {
      setSoundBlocked(false);
      return;
    }
    audio.play().then(
      () => setSoundBlocked(false),
      (error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') setSoundBlocked(true);
      },
    );
  }, [audioTrack]);

  const listen = () => {
    void videoRef.current?.play().catch(() => undefined);
    audioRef.current?.play().then(
      () => setSoundBlocked(false),
      () => undefined,
    );
  };

  return (
    <div className="stage">
      <video data-testid="watch-video" ref={videoRef} autoPlay playsInline muted hidden={!showVideo || !videoTrack} />
      {(!showVideo || !videoTrack) && <p className="stage-placeholder">{placeholder}</p>}
      <audio data-testid="watch-audio" ref={audioRef} autoPlay />
      {soundBlocked && (
        <button type="button" className="listen-button" onClick={listen}>
          Tap to listen
        </button>
      )}
    </div>
  );
}
