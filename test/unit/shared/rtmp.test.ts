import { describe, expect, it } from 'vitest';
import { parseRtmpStreamKey, rtmpStreamKey } from '../../../shared/rtmp';

describe('RTMP stream keys', () => {
  const key = 'Ab_c-123456789012345678901234567890123456789';

  it('names the event and carries the key, split at the first underscore since slugs have none', () => {
    expect(parseRtmpStreamKey(rtmpStreamKey('my-rally-2', key))).toEqual({ slug: 'my-rally-2', key });
  });

  it.each(['', 'my-rally', '_' + key, 'my-rally_short', `My-Rally_${key}`, `my-rally_${key}?x=1`, `../etc_${key}`])(
    'finds no event in %j',
    (streamKey) => {
      expect(parseRtmpStreamKey(streamKey)).toBeUndefined();
    },
  );
});
