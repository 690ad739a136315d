import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatClient, type ChatView } from '../../../../client/src/chat/ChatClient';
import type { FeedEntry } from '../../../../shared/chat';
import { appendMessages, ChatTestClient, randomToken } from '../../../helpers/ChatTestClient';
import { FlakyProxy } from '../../../helpers/FlakyProxy';
import { MemoryStorage, until } from '../../../helpers/chatClient';
import { createEvent, startTestServer, type TestServer } from '../../../helpers/testServer';

let test: TestServer;
let proxy: FlakyProxy;
let slug: string;
const chatClients: ChatClient[] = [];

function chatClient(storage = new MemoryStorage(), organizerKey?: string): ChatClient {
  const client = new ChatClient({
    slug,
    organizerKey,
    url: proxy.url,
    storage,
    socketOptions: { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 200 },
  });
  chatClients.push(client);
  return client;
}

/** A client with a name, once it has joined. */
async function onlineClient(storage?: MemoryStorage): Promise<ChatClient> {
  const client = chatClient(storage);
  client.setName('Bilal');
  await until(client, online, 'online');
  return client;
}

async function reader(): Promise<ChatTestClient> {
  const client = await ChatTestClient.open(test.url);
  await client.join(slug);
  return client;
}

const online = (view: ChatView) => view.connection === 'online';
const shows = (text: string) => (view: ChatView) => view.messages.some((m) => m.text === text);

/** How often each text appears among the messages. */
function counts(entries: readonly FeedEntry[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const entry of entries) if (entry.kind === 'message') result[entry.text] = (result[entry.text] ?? 0) + 1;
  return result;
}

beforeAll(async () => {
  test = await startTestServer();
  proxy = await FlakyProxy.start(test.server.port);
});
afterAll(async () => {
  await proxy.close();
  await test.close();
});
beforeEach(async () => {
  ({ slug } = await createEvent(test));
});
afterEach(() => {
  proxy.restore(test.server.port);
  for (const client of chatClients.splice(0)) client.close();
  ChatTestClient.closeAll();
});

describe('ChatClient', () => {
  it('follows the link to the low-data feed, keeps it over a reconnection, and holds the attendee’s own choice', async () => {
    const client = await onlineClient();
    client.suggestFeed('low');
    await until(client, (view) => view.feedInEffect === 'low', 'the low-data feed');
    const crowd = ['one', 'two', 'three'].map((text) => `crowd ${text}`);
    await appendMessages(test.server.chat, slug, crowd);
    await appendMessages(test.server.chat, slug, ['host'], 'organizer');
    const low = await until(client, shows('host'), 'the organizer’s message');
    expect(low.messages.map((m) => m.text)).toEqual(['crowd one', 'host']);

    // Reconnected (recovered by Socket.io, or joined again), the connection is on the feed as it stands.
    proxy.cut();
    await until(client, (view) => view.connection === 'offline', 'offline');
    proxy.restore();
    await until(client, online, 'online again');
    expect(client.store.get().feedInEffect).toBe('low');

    client.chooseFeed('full');
    const full = await until(client, (view) => view.feedInEffect === 'full' && shows('crowd three')(view), 'every message');
    expect(full.messages.map((m) => m.text)).toEqual([...crowd, 'host']);
    client.suggestFeed('low');
    client.suggestFeed('full');
    client.suggestFeed('low');
    expect(client.store.get()).toMatchObject({ feed: 'full', suggestedFeed: 'low', feedChosen: true });
  });

  it('joins, sends and shows messages, its own marked as delivered', async () => {
    const client = chatClient();
    await until(client, online, 'online');
    expect(client.send('no name yet')).toBe(false);
    expect(client.setName('  Bilal ')).toBe(true);
    const other = await reader();
    expect(client.send('hello everyone')).toBe(true);
    const view = await until(client, shows('hello everyone'), 'its own message shown');
    expect(view.outgoing).toEqual([]);
    expect(view.messages[0]).toMatchObject({ name: 'Bilal', role: 'attendee', authorId: view.authorId });
    await other.waitForMessage('hello everyone');
  });

  it('sends what was typed offline exactly once when the line comes back', async () => {
    const client = await onlineClient();
    const other = await reader();
    proxy.cut();
    await until(client, (view) => view.connection === 'offline', 'offline');
    client.send('typed offline 1');
    client.send('typed offline 2');
    expect(client.store.get().outgoing.map((m) => m.text)).toEqual(['typed offline 1', 'typed offline 2']);
    proxy.restore();
    await until(client, (view) => view.outgoing.length === 0 && shows('typed offline 2')(view), 'queue delivered');
    await other.ok('send', { clientId: randomToken(9), name: 'Marker', text: 'marker' });
    await other.waitForMessage('marker');
    expect(counts(other.entries)).toEqual({ 'typed offline 1': 1, 'typed offline 2': 1, marker: 1 });
    const view = await until(client, shows('marker'), 'the marker');
    expect(view.messages.map((m) => m.text)).toEqual(['typed offline 1', 'typed offline 2', 'marker']);
  });

  it('does not send a message twice when its acknowledgement was lost', async () => {
    const client = await onlineClient();
    const other = await reader();
    proxy.loseReplies();
    client.send('acknowledgement lost');
    await other.waitForMessage('acknowledgement lost');
    expect(client.store.get().outgoing).toHaveLength(1);
    proxy.cut();
    proxy.restore();
    await until(client, (view) => view.outgoing.length === 0, 'the message confirmed');
    await other.ok('send', { clientId: randomToken(9), name: 'Marker', text: 'marker' });
    await other.waitForMessage('marker');
    expect(counts(other.entries)).toEqual({ 'acknowledgement lost': 1, marker: 1 });
    const { entries } = await other.join(slug);
    expect(counts(entries)).toEqual({ 'acknowledgement lost': 1, marker: 1 });
  });

  it('keeps the outbox across a reload and sends it once', async () => {
    const storage = new MemoryStorage();
    const first = await onlineClient(storage);
    proxy.cut();
    await until(first, (view) => view.connection === 'offline', 'offline');
    first.send('typed before the reload');
    first.close();
    proxy.restore();
    const second = chatClient(storage);
    expect(second.store.get().name).toBe('Bilal');
    await until(second, shows('typed before the reload'), 'the queued message delivered');
    const { entries } = await (await reader()).join(slug);
    expect(counts(entries)).toEqual({ 'typed before the reload': 1 });
    expect(second.store.get().authorId).toBe(first.store.get().authorId);
  });

  it('catches up from the last message seen after the server restarted', async () => {
    const client = chatClient();
    await until(client, online, 'online');
    const before = await reader();
    await before.ok('send', { clientId: randomToken(9), name: 'A', text: 'before' });
    await until(client, shows('before'), 'the first message');
    proxy.cut();
    await test.close();
    test = await startTestServer({ DATA_DIR: test.dataDir });
    const after = await reader();
    await after.ok('send', { clientId: randomToken(9), name: 'A', text: 'while the client was away' });
    proxy.restore(test.server.port);
    const view = await until(client, shows('while the client was away'), 'the missed message');
    expect(view.messages.map((m) => m.text)).toEqual(['before', 'while the client was away']);
  });

  it('catches up on a message still on its way when its own later message was acknowledged before the server restarted', async () => {
    // Frames every 3 s: another attendee's message stays on its way that long, while an acknowledgement is at once.
    let slow = await startTestServer({ CHAT_BATCH_MS: '3000' });
    try {
      proxy.restore(slow.server.port);
      ({ slug } = await createEvent(slow));
      const client = await onlineClient();
      const other = await ChatTestClient.open(slow.url);
      await other.join(slug);
      await other.ok('send', { clientId: randomToken(9), name: 'A', text: 'earlier' });
      // Just after a frame: the next one is 3 s away.
      await until(client, shows('earlier'), 'the earlier message, in a frame');
      await other.ok('send', { clientId: randomToken(9), name: 'A', text: 'on its way' });
      client.send('mine, acknowledged');
      await until(client, (view) => view.outgoing.length === 0, 'its own message acknowledged');
      // The server restarts meanwhile: the connection cannot be recovered, the client joins again.
      proxy.cut();
      await slow.close();
      slow = await startTestServer({ CHAT_BATCH_MS: '3000', DATA_DIR: slow.dataDir });
      proxy.restore(slow.server.port);
      const view = await until(client, shows('on its way'), 'the message that was on its way');
      expect(view.messages.map((m) => m.text)).toEqual(['earlier', 'on its way', 'mine, acknowledged']);
    } finally {
      await slow.close();
    }
  });

  it('tells an organizer whose event key was rotated that it no longer works, rather than staying offline', async () => {
    let eventKey: string;
    ({ slug, eventKey } = await createEvent(test));
    const organizer = chatClient(new MemoryStorage(), eventKey);
    expect((await until(organizer, online, 'online')).role).toBe('organizer');
    test.server.events.rotateKey(slug);
    // The server lets the connection go; the client comes back, and the old key is refused.
    const view = await until(organizer, (v) => v.connection === 'failed', 'failed');
    expect(view.problem).toEqual({ kind: 'service', code: 'UNAUTHORIZED' });
  });

  it('lets the organizer moderate, and shows a removed attendee why', async () => {
    const organizer = chatClient(new MemoryStorage(), test.server.instanceKey);
    const attendee = chatClient();
    attendee.setName('Troll');
    const [organizerView, attendeeView] = await Promise.all([
      until(organizer, online, 'organizer online'),
      until(attendee, online, 'attendee online'),
    ]);
    expect(organizerView.role).toBe('organizer');
    await expect(attendee.pin('I am in charge')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    attendee.send('rude words');
    const shown = await until(organizer, shows('rude words'), 'the rude message');
    await organizer.deleteMessage(shown.messages[0]!.id);
    await until(attendee, (view) => view.messages.length === 0, 'the message gone');
    await organizer.pin('Be kind');
    await until(attendee, (view) => view.pinned === 'Be kind', 'the pin');
    await organizer.mute(attendeeView.authorId!, 60);
    await until(attendee, (view) => (view.mutedUntil ?? 0) > Date.now(), 'muted');
    attendee.send('let me speak');
    await until(attendee, (view) => view.outgoing.some((m) => m.problem !== null), 'refused while muted');
    await organizer.ban(attendeeView.authorId!, true);
    await until(attendee, (view) => view.connection === 'removed', 'removed');
    const listed = await until(organizer, (view) => view.banned.length === 1, 'the banned author listed');
    expect(listed.banned.map((author) => author.authorId)).toEqual([attendeeView.authorId]);
    await organizer.ban(attendeeView.authorId!, false);
    await until(organizer, (view) => view.banned.length === 0, 'the unban');
  });
});
