import { z } from 'zod';
import { ErrorBody, type ErrorCode } from '../../../shared/errors';
import {
  CreateEventResponse,
  EventKeyResponse,
  EventListResponse,
  EventResponse,
  FileBroadcastResponse,
  type CreateEventRequest,
  type DeleteEventQuery,
  type FileBroadcastEnd,
  type PublicEvent,
  type UpdateEventRequest,
} from '../../../shared/events';
import { MirrorSettingsResponse, type MirrorSettings } from '../../../shared/mirrors';
import { ReplayListResponse, ReplayResponse, type Replay } from '../../../shared/recordings';
import { RtmpSettingsResponse } from '../../../shared/rtmp';
import { ServiceError } from '../lib/ServiceError';

const ErrorResponse = z.object({ error: ErrorBody });

/** For replies that carry no ErrorBody, e.g. a proxy's 502 page. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

async function send(
  path: string,
  init: { method?: string; key?: string; body?: unknown; form?: FormData; file?: File; etag?: string } = {},
): Promise<Response> {
  const headers = new Headers({ Accept: 'application/json' });
  if (init.key !== undefined) headers.set('Authorization', `Bearer ${init.key}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  if (init.file !== undefined) headers.set('Content-Type', init.file.type || 'application/octet-stream');
  if (init.etag !== undefined) headers.set('If-None-Match', init.etag);
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.form ?? init.file ?? (init.body === undefined ? null : JSON.stringify(init.body)),
      // A conditional request of our own: the browser's cache would answer it with its copy, not the 304.
      ...(init.etag !== undefined && { cache: 'no-store' as const }),
    });
  } catch {
    throw new ServiceError('UNAVAILABLE', 'Cannot reach the server. Check your connection and try again.');
  }
  if (response.ok || response.status === 304) return response;
  throw toServiceError(response.status, await readJson(response));
}

function toServiceError(status: number, body: unknown): ServiceError {
  const failure = ErrorResponse.safeParse(body);
  return failure.success
    ? ServiceError.from(failure.data.error)
    : new ServiceError(codeForStatus(status), `The server answered ${status}.`);
}

async function parse<T>(response: Response, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJson(response));
  if (!parsed.success) throw new ServiceError('INTERNAL', 'The server sent a reply this page does not understand.');
  return parsed.data;
}

/** The events and the list's ETag; null when the list is still the one `etag` names (the server answered 304). */
export async function listEvents(etag?: string): Promise<{ events: PublicEvent[]; etag: string | undefined } | null> {
  const response = await send('/api/events', { etag });
  if (response.status === 304) return null;
  const { events } = await parse(response, EventListResponse);
  return { events, etag: response.headers.get('ETag') ?? undefined };
}

/** A page of ended events with a recording, newest first as the server orders them; `next` is the following page's offset. */
export async function listReplays(offset = 0): Promise<ReplayListResponse> {
  return parse(await send(`/api/replays?offset=${offset}`), ReplayListResponse);
}

/** One event's recording; undefined when there is none to replay. */
export async function getReplay(slug: string): Promise<Replay | undefined> {
  try {
    return (await parse(await send(`/api/replays/${encodeURIComponent(slug)}`), ReplayResponse)).replay;
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

export async function createEvent(key: string, request: CreateEventRequest): Promise<CreateEventResponse> {
  return parse(await send('/api/events', { method: 'POST', key, body: request }), CreateEventResponse);
}

function eventPath(slug: string): string {
  return `/api/events/${encodeURIComponent(slug)}`;
}

/** A new title or time; `revision` is the one shown, so that an edit never undoes a newer change. */
export async function updateEvent(key: string, slug: string, edit: UpdateEventRequest): Promise<PublicEvent> {
  return (await parse(await send(eventPath(slug), { method: 'PATCH', key, body: edit }), EventResponse)).event;
}

export async function cancelEvent(key: string, slug: string): Promise<PublicEvent> {
  return (await parse(await send(`${eventPath(slug)}/cancel`, { method: 'POST', key }), EventResponse)).event;
}

export async function deleteEvent(key: string, slug: string, { recordings }: DeleteEventQuery): Promise<void> {
  await send(`${eventPath(slug)}?recordings=${recordings}`, { method: 'DELETE', key });
}

/** True when the key is the instance organizer key, or (given a slug) that event's own key. */
export async function isOrganizerKeyAccepted(key: string, slug?: string): Promise<boolean> {
  try {
    await send('/api/auth/check', { method: 'POST', key, body: slug === undefined ? {} : { slug } });
    return true;
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'UNAUTHORIZED') return false;
    throw error;
  }
}

/** Makes the event a new key of its own, returned this once; the old event key stops working now. */
export async function rotateEventKey(key: string, slug: string): Promise<string> {
  const path = `/api/events/${encodeURIComponent(slug)}/key`;
  return (await parse(await send(path, { method: 'POST', key }), EventKeyResponse)).organizerKey;
}

/** The RTMP server URL for OBS (null when the server takes no RTMP) and the encoder's status. */
export async function getRtmpSettings(key: string, slug: string): Promise<RtmpSettingsResponse> {
  return parse(await send(`${eventPath(slug)}/rtmp`, { key }), RtmpSettingsResponse);
}

/** Leaves the event without a key of its own: only the instance key runs it afterwards. */
export async function revokeEventKey(key: string, slug: string): Promise<void> {
  await send(`/api/events/${encodeURIComponent(slug)}/key`, { method: 'DELETE', key });
}

/** How much of an upload has left the browser. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

export interface UploadOptions {
  onProgress: (progress: UploadProgress) => void;
  /** Aborting cancels the upload: the request is dropped, and the server removes what it received. */
  signal: AbortSignal;
}

/** Thrown when an upload is cancelled through its signal. */
export class UploadCancelledError extends Error {
  override readonly name = 'UploadCancelledError';

  constructor() {
    super('The upload was cancelled.');
  }
}

/**
 * Goes live from an uploaded recording (and, for an audio file, an optional still picture). Through
 * XMLHttpRequest, as fetch reports no upload progress: on a slow link the organizer must see it move.
 */
export function startFileBroadcast(
  key: string,
  slug: string,
  { media, image, atEnd }: { media: File; image: File | null; atEnd: FileBroadcastEnd },
  { onProgress, signal }: UploadOptions,
): Promise<FileBroadcastResponse> {
  const form = new FormData();
  form.append('media', media);
  if (image) form.append('image', image);
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new UploadCancelledError());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/events/${slug}/file-broadcast?atEnd=${atEnd}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Authorization', `Bearer ${key}`);
    xhr.responseType = 'text';
    const cancel = () => xhr.abort();
    signal.addEventListener('abort', cancel, { once: true });
    const done = () => signal.removeEventListener('abort', cancel);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ sentBytes: event.loaded, totalBytes: event.total });
    };
    xhr.onload = () => {
      done();
      const body = parseJson(xhr.responseText);
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(toServiceError(xhr.status, body));
        return;
      }
      const parsed = FileBroadcastResponse.safeParse(body);
      if (parsed.success) resolve(parsed.data);
      else reject(new ServiceError('INTERNAL', 'The server sent a reply this page does not understand.'));
    };
    xhr.onerror = () => {
      done();
      reject(new ServiceError('UNAVAILABLE', 'The upload broke off. Check your connection and try again.'));
    };
    xhr.onabort = () => {
      done();
      reject(new UploadCancelledError());
    };
    xhr.send(form);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The picture shown while the organizer's camera is off (JPEG, PNG or WebP); the server checks it. */
export async function setEventPicture(key: string, slug: string, picture: File): Promise<void> {
  await send(`/api/events/${encodeURIComponent(slug)}/picture`, { method: 'PUT', key, file: picture });
}

export async function stopFileBroadcast(key: string, slug: string): Promise<void> {
  await send(`/api/events/${slug}/file-broadcast`, { method: 'DELETE', key });
}

/** The event's mirrors and the order players prefer the pathways in. */
export async function getMirrors(key: string, slug: string): Promise<MirrorSettings> {
  return (await parse(await send(`${eventPath(slug)}/mirrors`, { key }), MirrorSettingsResponse)).settings;
}

/** Replaces the event's mirrors and priority; players follow at their next steering reload. */
export async function setMirrors(key: string, slug: string, settings: MirrorSettings): Promise<MirrorSettings> {
  return (await parse(await send(`${eventPath(slug)}/mirrors`, { method: 'PUT', key, body: settings }), MirrorSettingsResponse)).settings;
}
