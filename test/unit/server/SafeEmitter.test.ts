import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/logger';
import { SafeEmitter } from '../../../server/SafeEmitter';

interface Events {
  tick: [n: number];
  error: [error: Error];
}

describe('SafeEmitter', () => {
  it('keeps calling the other listeners, and the emitter keeps going, when one listener throws', () => {
    const emitter = new SafeEmitter<Events>(createLogger('silent'));
    const heard: number[] = [];
    emitter.on('tick', () => {
      throw new Error('a buggy listener');
    });
    emitter.on('tick', (n) => heard.push(n));
    expect(() => emitter.emit('tick', 1)).not.toThrow();
    expect(() => emitter.emit('tick', 2)).not.toThrow();
    expect(heard).toEqual([1, 2]);
  });

  it('removes a once listener after its call, even one that threw', () => {
    const emitter = new SafeEmitter<Events>(createLogger('silent'));
    let calls = 0;
    emitter.once('tick', () => {
      calls++;
      throw new Error('once and wrong');
    });
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(calls).toBe(1);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('says whether anyone listened', () => {
    const emitter = new SafeEmitter<Events>(createLogger('silent'));
    expect(emitter.emit('tick', 1)).toBe(false);
    emitter.on('tick', () => undefined);
    expect(emitter.emit('tick', 1)).toBe(true);
  });

  it('still throws an error event nobody listens to, as any EventEmitter does', () => {
    const emitter = new SafeEmitter<Events>(createLogger('silent'));
    expect(() => emitter.emit('error', new Error('unheard'))).toThrow('unheard');
  });
});
