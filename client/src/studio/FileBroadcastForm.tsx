import { useState, type FormEvent } from 'react';
import { FileBroadcastEnd } from '../../../shared/events';
import type { UploadProgress } from '../app/api';
import { useMessages } from '../i18n/language';
import { describeUpload, uploadPercent } from './uploadProgress';

interface FileBroadcastFormProps {
  disabled: boolean;
  /** The upload under way, if any: shown as a bar with a way to cancel it. */
  upload: UploadProgress | null;
  onSubmit: (media: File, image: File | null, atEnd: FileBroadcastEnd) => Promise<void>;
  onCancel: () => void;
}

function UploadStatus({ upload, onCancel }: { upload: UploadProgress; onCancel: () => void }) {
  const t = useMessages().studio;
  const sent = uploadPercent(upload) === 100;
  return (
    <div className="upload-status" role="status">
      <progress data-testid="upload-progress" max={Math.max(upload.totalBytes, 1)} value={upload.sentBytes} />{' '}
      <span data-testid="upload-text">{describeUpload(upload, t)}</span>{' '}
      {/* Once every byte is sent the server is starting the broadcast: there is nothing left to cancel. */}
      {!sent && (
        <button data-testid="upload-cancel" type="button" onClick={onCancel}>
          {t.cancelUpload}
        </button>
      )}
    </div>
  );
}

/**
 * Go live from a prepared recording: a rally whose speaker cannot appear live still happens. An audio
 * file plays over the picture given here (or a title slate); a video file plays as it is.
 */
export function FileBroadcastForm({ disabled, upload, onSubmit, onCancel }: FileBroadcastFormProps) {
  const t = useMessages().studio;
  const [media, setMedia] = useState<File | null>(null);
  const [image, setImage] = useState<File | null>(null);
  const [atEnd, setAtEnd] = useState<FileBroadcastEnd>('hold');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (media) void onSubmit(media, image, atEnd);
  };
  return (
    <form className="file-broadcast" onSubmit={submit}>
      <h2>{t.broadcastFileHeading}</h2>
      <label>
        {t.recordingFile}{' '}
        <input
          data-testid="file-broadcast-media"
          type="file"
          accept="audio/*,video/*"
          onChange={(e) => setMedia(e.target.files?.[0] ?? null)}
        />
      </label>
      <label>
        {t.pictureFile}{' '}
        <input
          data-testid="file-broadcast-image"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(e) => setImage(e.target.files?.[0] ?? null)}
        />
      </label>
      <label>
        {t.atEndLabel}{' '}
        <select
          data-testid="file-broadcast-at-end"
          value={atEnd}
          onChange={(e) => setAtEnd(FileBroadcastEnd.parse(e.target.value))}
        >
          {FileBroadcastEnd.options.map((choice) => (
            <option key={choice} value={choice}>
              {t.atEnd[choice]}
            </option>
          ))}
        </select>
      </label>
      {upload === null ? (
        <button data-testid="file-broadcast-start" type="submit" disabled={disabled || media === null}>
          {t.goLiveWithFile}
        </button>
      ) : (
        <UploadStatus upload={upload} onCancel={onCancel} />
      )}
    </form>
  );
}
