import type { types } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../server/logger';
import { MediaRoomRegistry } from '../../../../server/sfu/MediaRoomRegistry';
import { WebRtcSeats } from '../../../../server/sfu/WebRtcSeats';
import { asMediasoup, FakeProducer, fakePool, transportSettings } from '../../../helpers/fakeMediasoup';


function registry() {
  const { pool, workers } = fakePool(1);
  return { rooms: new MediaRoomRegistry(pool, new WebRtcSeats(10), transportSettings, createLogger('silent')), workers };
}

describe('MediaRoomRegistry', () => {
  it('hands out an open room synchronously, and nothing once it is closed', async () => {
    const { rooms } = registry();
    expect(rooms.get('rally')).toBeUndefined();
    const room = await rooms.getOrCreate('rally');
    expect(rooms.get('rally')).toBe(room);
    await rooms.close('rally');
    expect(rooms.get('rally')).toBeUndefined();
  });

  it('shares one room between callers that ask at once', async () => {
    const { rooms, workers } = registry();
    const [a, b] = await Promise.all([rooms.getOrCreate('rally'), rooms.getOrCreate('rally')]);
    expect(a).toBe(b);
    expect(workers[0]!.routers).toHaveLength(1);
  });

  it('tells of every room’s producers with the event they belong to', async () => {
    const { rooms } = registry();
    const heard: string[] = [];
    rooms.on('producerAdded', (slug, { kind }) => heard.push(`${slug} +${kind}`));
    rooms.on('producerClosed', (slug) => heard.push(`${slug} -`));
    const producer = new FakeProducer('audio');
    (await rooms.getOrCreate('rally')).addProducer(asMediasoup<types.Producer>(producer));
    producer.close();
    expect(heard).toEqual(['rally +audio', 'rally -']);
  });

  it('replaces a room whose worker died and says so', async () => {
    const { rooms, workers } = registry();
    const lost = await rooms.getOrCreate('rally');
    const recreated = new Promise((resolve) => rooms.once('roomRecreated', resolve));
    workers[0]!.routers[0]!.workerDied();
    const room = await recreated;
    expect(room).not.toBe(lost);
    expect(rooms.get('rally')).toBe(room);
  });
});
