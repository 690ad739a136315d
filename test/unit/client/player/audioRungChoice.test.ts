import { describe, expect, it } from 'vitest';
import { chooseAudioRung } from '../../../../client/src/player/audioRungChoice';
import { audioRung, speechRung } from '../../../../shared/ladder';

const base = { current: null, opusPlayable: true, dataSaver: false };

describe('chooseAudioRung', () => {
  it('plays the AAC rung wherever Opus in fMP4 does not play, whatever the link', () => {
    for (const estimateBps of [null, 20_000, 5_000_000]) {
      expect(chooseAudioRung({ ...base, opusPlayable: false, estimateBps })).toBe(audioRung);
    }
  });

  it('starts with the speech rung on a link not yet measured', () => {
    expect(chooseAudioRung({ ...base, estimateBps: null })).toBe(speechRung);
  });

  it('plays the speech rung on an EDGE-like link that cannot carry the AAC rung', () => {
    expect(chooseAudioRung({ ...base, estimateBps: 30_000 })).toBe(speechRung);
    expect(chooseAudioRung({ ...base, current: audioRung, estimateBps: 30_000 })).toBe(speechRung);
  });

  it('does not spend on AAC a link measured at barely what AAC needs: the rest of the page must fit too', () => {
    expect(chooseAudioRung({ ...base, estimateBps: 40_000 })).toBe(speechRung);
    expect(chooseAudioRung({ ...base, estimateBps: 70_000 })).toBe(speechRung);
  });

  it('takes the AAC rung only on a link measured at twice what it needs', () => {
    expect(chooseAudioRung({ ...base, estimateBps: 80_000 })).toBe(audioRung);
  });

  it('keeps AAC while the link stays above what it needs with a margin, so the rung does not flap', () => {
    expect(chooseAudioRung({ ...base, current: audioRung, estimateBps: 50_000 })).toBe(audioRung);
    expect(chooseAudioRung({ ...base, current: speechRung, estimateBps: 50_000 })).toBe(speechRung);
    expect(chooseAudioRung({ ...base, current: audioRung, estimateBps: 45_000 })).toBe(speechRung);
  });

  it('keeps to the speech rung while the sound plays because the link could not carry video, even when measured fast', () => {
    expect(chooseAudioRung({ ...base, linkFailedVideo: true, estimateBps: 1_200_000 })).toBe(speechRung);
    expect(chooseAudioRung({ ...base, current: audioRung, linkFailedVideo: true, estimateBps: 1_200_000 })).toBe(speechRung);
  });

  it('keeps to the speech rung under the data saver, even on a fast link', () => {
    expect(chooseAudioRung({ ...base, dataSaver: true, estimateBps: 5_000_000 })).toBe(speechRung);
  });
});
