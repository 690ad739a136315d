import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../../../server/errors';
import { EventAudience } from '../../../../server/metrics/EventAudience';

describe('EventAudience', () => {
  it('counts each connection once, in the mode it reported last', () => {
    const audience = new EventAudience();
    audience.joined('a', 'rally', 'attendee');
    audience.joined('b', 'rally', 'attendee');
    audience.joined('c', 'rally', 'attendee');
    audience.reportPlayback('a', 'webrtc');
    audience.reportPlayback('b', 'hls-video');
    audience.reportPlayback('b', 'audio-only');
    expect(audience.playbackCounts().get('rally')).toEqual({ webrtc: 1, 'hls-video': 0, 'audio-only': 1 });
    audience.left('a');
    expect(audience.playbackCounts().get('rally')).toEqual({ webrtc: 0, 'hls-video': 0, 'audio-only': 1 });
  });

  it('keeps a report across joining the same event again, and drops it when joining another', () => {
    const audience = new EventAudience();
    audience.joined('a', 'rally', 'attendee');
    audience.reportPlayback('a', 'webrtc');
    audience.joined('a', 'rally', 'attendee');
    expect(audience.playbackCounts().get('rally')?.webrtc).toBe(1);
    audience.joined('a', 'other', 'attendee');
    expect(audience.playbackCounts().get('rally')).toBeUndefined();
    expect(audience.playbackCounts().get('other')).toBeUndefined();
  });

  it('refuses a report from a connection that joined nothing', () => {
    expect(() => new EventAudience().reportPlayback('a', 'webrtc')).toThrow(InvalidStateError);
  });

  it('knows which events have an organizer connected', () => {
    const audience = new EventAudience();
    audience.joined('o', 'rally', 'organizer');
    audience.joined('a', 'other', 'attendee');
    expect(audience.organizedEvents()).toEqual(new Set(['rally']));
    audience.left('o');
    expect(audience.organizedEvents()).toEqual(new Set());
  });
});
