import { z } from 'zod';
import { ErrorBody, type ErrorCode } from '../../../shared/errors';
import {
  CreateEventResponse,
  EventListResponse,
  FileBroadcastResponse,
  type CreateEventRequest,
  type PublicEvent,
} from '../../../shared/events';
import { ReplayListResponse, type Replay } from '../../../shared/recordings';
import { ServiceError } from '../lib/ServiceError';

const ErrorResponse = z.object({ error: ErrorBody });

/** For replies that carry no ErrorBody, e.g. a proxy's 502 page. */
function codeForStatus(status: number): ErrorCode {
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
  init: { method?: string; key?: string; body?: unknown; form?: FormData } = {},
): Promise<Response> {
  const headers = new Headers({ Accept: 'application/json' });
  if (init.key !== undefined) headers.set('Authorization', `Bearer ${init.key}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.form ?? (init.body === undefined ? null : JSON.stringify(init.body)),
    });
  } catch {
    throw new ServiceError('UNAVAILABLE', 'Cannot reach the server. Check your connection and try again.');
  }
  if (response.ok) return response;
  const failure = ErrorResponse.safeParse(await readJson(response));
  throw failure.success
    ? ServiceError.from(failure.data.error)
    : new ServiceError(codeForStatus(response.status), `The server answered ${response.status}.`);
}

async function parse<T>(response: Response, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJson(response));
  if (!parsed.success) throw new ServiceError('INTERNAL', 'The server sent a reply this page does not understand.');
  return parsed.data;
}

export async function listEvents(): Promise<PublicEvent[]> {
  const { events } = await parse(await send('/api/events'), EventListResponse);
  return events;
}

/** Ended events with a recording, newest first as the server orders them. */
export async function listReplays(): Promise<Replay[]> {
  const { replays } = await parse(await send('/api/replays'), ReplayListResponse);
  return replays;
}

export async function createEvent(key: string, request: CreateEventRequest): Promise<CreateEventResponse> {
  return parse(await send('/api/events', { method: 'POST', key, body: request }), CreateEventResponse);
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

/** Goes live from an uploaded recording (and, for an audio file, an optional still picture). */
export async function startFileBroadcast(
  key: string,
  slug: string,
  media: File,
  image: File | null,
): Promise<FileBroadcastResponse> {
  const form = new FormData();
  form.append('media', media);
  if (image) form.append('image', image);
  return parse(await send(`/api/events/${slug}/file-broadcast`, { method: 'POST', key, form }), FileBroadcastResponse);
}

export async function stopFileBroadcast(key: string, slug: string): Promise<void> {
  await send(`/api/events/${slug}/file-broadcast`, { method: 'DELETE', key });
}
