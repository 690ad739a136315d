import type { UploadProgress } from '../app/api';
import type { StudioMessages } from '../i18n/messages';

/** Whole percent sent, never 100 before every byte has left (the server still has to answer). */
export function uploadPercent({ sentBytes, totalBytes }: UploadProgress): number {
  if (totalBytes <= 0 || sentBytes >= totalBytes) return 100;
  return Math.min(99, Math.floor((sentBytes / totalBytes) * 100));
}

/** What the organizer reads beside the bar: how far the upload is, then that the server is at work. */
export function describeUpload(progress: UploadProgress, t: Pick<StudioMessages, 'uploaded' | 'uploading'>): string {
  const percent = uploadPercent(progress);
  if (percent === 100) return t.uploaded;
  return t.uploading(percent, megabytes(progress.totalBytes));
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
