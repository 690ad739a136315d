import { describe, expect, it } from 'vitest';
import { ChatFeedDecision, linkWantsLowDataChat, type ChatLinkState } from '../../../../client/src/chat/chatFeed';

const video: ChatLinkState = { mode: 'video', audioOnlyReason: null, linkQuality: 'good', dataSaver: false };

describe('linkWantsLowDataChat', () => {
  it('wants the low-data chat when the link sent the player to audio only, is below the speech, or data is being saved', () => {
    expect(linkWantsLowDataChat(video)).toBe(false);
    expect(linkWantsLowDataChat({ ...video, mode: 'audio', audioOnlyReason: 'slow connection', linkQuality: 'weak' })).toBe(true);
    expect(linkWantsLowDataChat({ ...video, mode: 'audio', audioOnlyReason: 'no video' })).toBe(false);
    expect(linkWantsLowDataChat({ ...video, mode: 'audio', audioOnlyReason: 'no video', linkQuality: 'very weak' })).toBe(true);
    expect(linkWantsLowDataChat({ ...video, mode: 'audio', audioOnlyReason: 'data saver', dataSaver: true })).toBe(true);
  });
});

describe('ChatFeedDecision', () => {
  it('goes low-data at once and full again only after the link has allowed it for the hold', () => {
    const decision = new ChatFeedDecision(20_000);
    expect(decision.observe(0, false)).toBe('full');
    expect(decision.recheckAt).toBeNull();
    expect(decision.observe(1_000, true)).toBe('low');
    expect(decision.observe(2_000, false)).toBe('low');
    expect(decision.recheckAt).toBe(22_000);
    expect(decision.observe(21_999, false)).toBe('low');
    expect(decision.observe(22_000, false)).toBe('full');
    expect(decision.recheckAt).toBeNull();
  });

  it('starts the hold again when the link weakens during it', () => {
    const decision = new ChatFeedDecision(20_000);
    decision.observe(0, true);
    decision.observe(5_000, false);
    expect(decision.observe(15_000, true)).toBe('low');
    expect(decision.recheckAt).toBeNull();
    decision.observe(16_000, false);
    expect(decision.observe(30_000, false)).toBe('low');
    expect(decision.observe(36_000, false)).toBe('full');
  });
});
