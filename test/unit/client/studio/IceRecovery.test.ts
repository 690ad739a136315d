import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Problem } from '../../../../client/src/lib/Problem';
import { DISCONNECTED_GRACE_MS, IceRecovery, MAX_RESTARTS, RESTART_TIMEOUT_MS } from '../../../../client/src/studio/IceRecovery';

/** A send transport as mediasoup-client's: a connection state, its changes, and restartIce. */
class FakeTransport extends EventEmitter<{ connectionstatechange: [types.ConnectionState] }> {
  connectionState: types.ConnectionState = 'connected';
  restarts: types.IceParameters[] = [];
  set(state: types.ConnectionState) {
    this.connectionState = state;
    this.emit('connectionstatechange', state);
  }
  async restartIce({ iceParameters }: { iceParameters: types.IceParameters }) {
    this.restarts.push(iceParameters);
  }
}

const PARAMETERS = { usernameFragment: 'u', password: 'p' } as types.IceParameters;
let transport: FakeTransport;
let askServer: ReturnType<typeof vi.fn<() => Promise<types.IceParameters>>>;
let givenUp: Problem[];
let recovery: IceRecovery;

beforeEach(() => {
  vi.useFakeTimers();
  transport = new FakeTransport();
  askServer = vi.fn(async () => PARAMETERS);
  givenUp = [];
  recovery = new IceRecovery(transport, askServer, (cause) => givenUp.push(cause));
});
afterEach(() => {
  recovery.close();
  vi.useRealTimers();
});

describe('IceRecovery', () => {
  it('lets a short disconnection heal by itself', async () => {
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS / 2);
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS * 2);
    expect(askServer).not.toHaveBeenCalled();
  });

  it('restarts ICE with the server’s new credentials when a disconnection lasts', async () => {
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS);
    expect(transport.restarts).toEqual([PARAMETERS]);
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(RESTART_TIMEOUT_MS * 2);
    expect(transport.restarts).toHaveLength(1);
    expect(givenUp).toEqual([]);
  });

  it('restarts at once on failure, tries again while it does not connect, then gives up', async () => {
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.restarts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(RESTART_TIMEOUT_MS * MAX_RESTARTS);
    expect(transport.restarts).toHaveLength(MAX_RESTARTS);
    expect(givenUp).toEqual([{ kind: 'publish', failure: 'mediaConnection' }]);
  });

  it('counts restarts afresh after a connection', async () => {
    for (let i = 0; i < MAX_RESTARTS + 1; i++) {
      transport.set('failed');
      await vi.advanceTimersByTimeAsync(0);
      transport.set('connected');
    }
    expect(transport.restarts).toHaveLength(MAX_RESTARTS + 1);
    expect(givenUp).toEqual([]);
  });

  it('gives up when the server cannot be asked (the socket is down too: its return publishes anew)', async () => {
    askServer.mockRejectedValueOnce(new Error('disconnected'));
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(givenUp).toEqual([{ kind: 'publish', failure: 'mediaConnection' }]);
    expect(transport.restarts).toEqual([]);
  });

  it('does nothing once closed', async () => {
    recovery.close();
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(RESTART_TIMEOUT_MS);
    expect(askServer).not.toHaveBeenCalled();
  });
});
