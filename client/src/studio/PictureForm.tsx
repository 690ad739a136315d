import { useState, type FormEvent } from 'react';
import { useMessages } from '../i18n/language';

interface PictureFormProps {
  disabled: boolean;
  /** A picture was saved in this visit. */
  saved: boolean;
  onSubmit: (picture: File) => Promise<void>;
}

/** The picture viewers see while the organizer's camera is off (a title slide until one is given). */
export function PictureForm({ disabled, saved, onSubmit }: PictureFormProps) {
  const t = useMessages().studio;
  const [picture, setPicture] = useState<File | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (picture) void onSubmit(picture);
  };
  return (
    <form className="picture" onSubmit={submit}>
      <h2>{t.pictureHeading}</h2>
      <label>
        {t.pictureLabel}{' '}
        <input
          data-testid="picture-input"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(e) => setPicture(e.target.files?.[0] ?? null)}
        />
      </label>
      <button data-testid="picture-save" type="submit" disabled={disabled || picture === null}>
        {t.pictureSave}
      </button>
      {saved && (
        <p className="notice" role="status" data-testid="picture-saved">
          {t.pictureSaved}
        </p>
      )}
    </form>
  );
}
