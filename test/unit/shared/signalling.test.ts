import { describe, expect, it } from 'vitest';
import { CreateEventRequest, FileBroadcastQuery, Slug } from '../../../shared/events';
import { JoinRequest, mediaRequests, SetPreferredLayersRequest } from '../../../shared/signalling';

describe('shared schemas', () => {
  it('accepts plain slugs and refuses anything that could walk a path', () => {
    expect(Slug.safeParse('jalsa-lahore-1a2b3c4d').success).toBe(true);
    for (const bad of ['../etc', 'a/b', 'A-B', '%2e%2e', 'ab', '-ab', 'a--b', 'x'.repeat(81)]) {
      expect(Slug.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('holds the slate after a file unless the organizer chose to end or loop, and refuses any other choice', () => {
    expect(FileBroadcastQuery.parse({})).toEqual({ atEnd: 'hold' });
    expect(FileBroadcastQuery.parse({ atEnd: 'loop' })).toEqual({ atEnd: 'loop' });
    expect(FileBroadcastQuery.parse({ atEnd: 'end' })).toEqual({ atEnd: 'end' });
    for (const bad of ['stop', '', ['end', 'loop'], 1]) expect(FileBroadcastQuery.safeParse({ atEnd: bad }).success, String(bad)).toBe(false);
  });

  it('requires a title and trims it', () => {
    expect(CreateEventRequest.parse({ title: '  Rally  ' }).title).toBe('Rally');
    expect(CreateEventRequest.safeParse({ title: '   ' }).success).toBe(false);
    expect(CreateEventRequest.safeParse({ title: 'x', scheduledAt: 'tomorrow' }).success).toBe(false);
  });

  it('refuses keys with characters outside base64url', () => {
    expect(JoinRequest.safeParse({ slug: 'abc', key: 'a'.repeat(43) }).success).toBe(true);
    expect(JoinRequest.safeParse({ slug: 'abc', key: `${'a'.repeat(42)}"` }).success).toBe(false);
  });

  it('bounds simulcast layers to the three that are published', () => {
    expect(SetPreferredLayersRequest.safeParse({ consumerId: 'c', spatialLayer: 2 }).success).toBe(true);
    expect(SetPreferredLayersRequest.safeParse({ consumerId: 'c', spatialLayer: 3 }).success).toBe(false);
  });

  it('pairs every request with a response schema', () => {
    for (const [name, pair] of Object.entries(mediaRequests)) expect(pair, name).toHaveLength(2);
  });
});
