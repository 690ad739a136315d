import { describe, expect, it } from 'vitest';
import { watchPageSlug } from '../../../../client/src/player/BootAudio';

describe('BootAudio', () => {
  describe('watchPageSlug', () => {
    it('finds the event of a watch page address, with or without a trailing slash', () => {
      expect(watchPageSlug('/e/rally-2026')).toBe('rally-2026');
      expect(watchPageSlug('/e/rally-2026/')).toBe('rally-2026');
    });

    it('starts nothing on the other pages', () => {
      for (const path of ['/', '/studio', '/studio/rally-2026', '/replay/rally-2026', '/e/', '/e/rally/chat']) {
        expect(watchPageSlug(path)).toBeNull();
      }
    });

    it('never puts path tricks or odd characters into the HLS address it builds', () => {
      for (const path of ['/e/..', '/e/%2e%2e', '/e/rally%2Fx', '/e/Rally', '/e/rally?x=1']) expect(watchPageSlug(path)).toBeNull();
    });
  });
});
