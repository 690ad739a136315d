import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ChatRate } from '../../../../server/metrics/ChatRate';

function chatAt(clock: { now: number }) {
  const chat = new EventEmitter<{ applied: [{ slug: string }] }>();
  const rate = new ChatRate(chat, () => clock.now);
  const post = (slug: string, times = 1) => {
    for (let i = 0; i < times; i++) chat.emit('applied', { slug });
  };
  return { chat, rate, post };
}

describe('ChatRate', () => {
  it('counts each event’s entries over the last minute only', () => {
    const clock = { now: 1_000_000 };
    const { rate, post } = chatAt(clock);
    post('rally', 3);
    post('other');
    clock.now += 30_000;
    post('rally', 2);
    expect(rate.perMinute('rally')).toBe(5);
    expect(rate.perMinute('other')).toBe(1);
    clock.now += 31_000;
    expect(rate.perMinute('rally')).toBe(2);
    expect(rate.perMinute('other')).toBe(0);
    clock.now += 60_000;
    expect(rate.perMinute('rally')).toBe(0);
    expect(rate.perMinute('unknown')).toBe(0);
  });

  it('does not count a second a whole window later as the same second', () => {
    const clock = { now: 5_000 };
    const { rate, post } = chatAt(clock);
    post('rally', 4);
    clock.now += 60_000;
    post('rally');
    expect(rate.perMinute('rally')).toBe(1);
  });

  it('stops counting once closed', () => {
    const clock = { now: 0 };
    const { chat, rate, post } = chatAt(clock);
    rate.close();
    post('rally');
    expect(rate.perMinute('rally')).toBe(0);
    expect(chat.listenerCount('applied')).toBe(0);
  });
});
