import { useState, type FormEvent } from 'react';

interface FileBroadcastFormProps {
  disabled: boolean;
  onSubmit: (media: File, image: File | null) => Promise<void>;
}

/**
 * Go live from a prepared recording: a rally whose speaker cannot appear live still happens. An audio
 * file plays over the picture given here (or a title slate); a video file plays as it is.
 */
export function FileBroadcastForm({ disabled, onSubmit }: FileBroadcastFormProps) {
  const [media, setMedia] = useState<File | null>(null);
  const [image, setImage] = useState<File | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (media) void onSubmit(media, image);
  };
  return (
    <form className="file-broadcast" onSubmit={submit}>
      <h2>Broadcast a recording instead</h2>
      <label>
        Recording (audio or video){' '}
        <input
          data-testid="file-broadcast-media"
          type="file"
          accept="audio/*,video/*"
          onChange={(e) => setMedia(e.target.files?.[0] ?? null)}
        />
      </label>
      <label>
        Picture to show with an audio recording (optional){' '}
        <input
          data-testid="file-broadcast-image"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(e) => setImage(e.target.files?.[0] ?? null)}
        />
      </label>
      <button data-testid="file-broadcast-start" type="submit" disabled={disabled || media === null}>
        Go live with this recording
      </button>
    </form>
  );
}
