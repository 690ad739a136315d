import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../../shared/chat';
import { ChatRoom, type ChatMember } from '../../../../server/chat/ChatRoom';
import { TokenBucket } from '../../../../server/realtime/TokenBucket';

const AUTHOR = 'AAAAAAAAAAAAAAAA';

function member(
  role: 'attendee' | 'organizer' = 'attendee',
  authorId = AUTHOR,
  { address = '203.0.113.1', mayPostFrom = 0 } = {},
) {
  const removed: string[] = [];
  const value: ChatMember = { authorId, role, address, mayPostFrom, remove: () => removed.push(authorId) };
  return { member: value, removed };
}

function message(id: number): ChatEntry {
  return { kind: 'message', id, at: id, authorId: AUTHOR, clientId: `client-${id}`, name: 'A', role: 'attendee', text: 'hi' };
}

describe('ChatRoom', () => {
  it('rebuilds its rules from past entries', () => {
    const room = new ChatRoom(
      'rally',
      [
        { kind: 'pinned', id: 1, at: 1, text: 'old' },
        { kind: 'pinned', id: 2, at: 2, text: 'Bring water' },
        { kind: 'slowMode', id: 3, at: 3, seconds: 30 },
        { kind: 'muted', id: 4, at: 4, authorId: AUTHOR, until: 10_000 },
        { kind: 'banned', id: 5, at: 5, authorId: 'BBBBBBBBBBBBBBBB', banned: true },
      ],
      5,
    );
    expect(room.stateFor(AUTHOR, 5_000)).toEqual({ pinned: 'Bring water', slowModeSeconds: 30, attendees: 0, mutedUntil: 10_000 });
    expect(room.stateFor(AUTHOR, 10_000).mutedUntil).toBeNull();
    expect(room.isBanned('BBBBBBBBBBBBBBBB')).toBe(true);
  });

  it('applies each entry once, and queues it for the next frame', () => {
    const room = new ChatRoom('rally', [], 10);
    room.apply(message(9));
    room.apply(message(11));
    room.apply(message(11));
    room.apply(message(12));
    expect(room.takeBatches(0).full?.entries.map((e) => e.id)).toEqual([11, 12]);
    expect(room.takeBatches(0)).toEqual({});
  });

  it('enforces slow mode per author, lifts it, and never applies it to organizers', () => {
    const room = new ChatRoom('rally', [{ kind: 'slowMode', id: 1, at: 0, seconds: 10 }], 1);
    const { member: attendee } = member();
    const { member: organizer } = member('organizer');
    room.admitMessage(attendee, 0);
    expect(() => room.admitMessage(attendee, 9_999)).toThrow(/slow mode.*wait 1 s/);
    room.admitMessage(attendee, 10_000);
    room.admitMessage(organizer, 10_001);
    room.admitMessage(organizer, 10_002);
    room.apply({ kind: 'slowMode', id: 2, at: 0, seconds: 0 });
    room.admitMessage(attendee, 10_003);
  });

  it('keeps slow mode per address too, so that a new client key does not start a new interval', () => {
    const room = new ChatRoom('rally', [{ kind: 'slowMode', id: 1, at: 0, seconds: 10 }], 1, { slowModeMessagesPerAddress: 2 });
    room.admitMessage(member('attendee', 'AAAAAAAAAAAAAAA1').member, 0);
    room.admitMessage(member('attendee', 'AAAAAAAAAAAAAAA2').member, 1_000);
    expect(() => room.admitMessage(member('attendee', 'AAAAAAAAAAAAAAA3').member, 2_000)).toThrow(/your network.*wait 8 s/);
    room.admitMessage(member('attendee', 'AAAAAAAAAAAAAAA4', { address: '198.51.100.1' }).member, 2_000);
    room.admitMessage(member('attendee', 'AAAAAAAAAAAAAAA3').member, 10_000);
    room.apply({ kind: 'slowMode', id: 2, at: 0, seconds: 0 });
    for (let i = 0; i < 5; i++) room.admitMessage(member('attendee', `AAAAAAAAAAAAAAB${i}`).member, 10_001);
  });

  it('makes a newcomer wait before its first message, and never an organizer', () => {
    const room = new ChatRoom('rally', [], 0);
    const { member: newcomer } = member('attendee', AUTHOR, { mayPostFrom: 5_000 });
    expect(() => room.admitMessage(newcomer, 1_000)).toThrow(/new to this chat.*in 4 s/);
    room.admitMessage(newcomer, 5_000);
    room.admitMessage(member('organizer', AUTHOR, { mayPostFrom: 5_000 }).member, 0);
  });

  it('caps the attendee messages of the whole room, whatever their authors and addresses, and never the organizer', () => {
    let now = 0;
    const room = new ChatRoom('rally', [], 0, { messageCap: new TokenBucket(3, 2, () => now) });
    const attendee = (i: number) => member('attendee', `AAAAAAAAAAAAAA${String(i).padStart(2, '0')}`, { address: `10.0.0.${i}` }).member;
    for (let i = 0; i < 3; i++) room.admitMessage(attendee(i), now);
    expect(() => room.admitMessage(attendee(3), now)).toThrow(/chat is busy.*try again in 1 s/);
    for (let i = 0; i < 10; i++) room.admitMessage(member('organizer').member, now);
    now = 500;
    room.admitMessage(attendee(4), now);
    expect(() => room.admitMessage(attendee(5), now)).toThrow(/chat is busy/);
  });

  it('spends none of the room cap on a message refused for its author, nor slow mode on one refused by the cap', () => {
    let now = 0;
    const room = new ChatRoom('rally', [{ kind: 'slowMode', id: 1, at: 0, seconds: 10 }], 1, {
      messageCap: new TokenBucket(1, 1, () => now),
    });
    const { member: muted } = member('attendee', 'MMMMMMMMMMMMMMMM');
    room.apply({ kind: 'muted', id: 2, at: 0, authorId: muted.authorId, until: 60_000 });
    expect(() => room.admitMessage(muted, now)).toThrow(/muted/);
    room.admitMessage(member().member, now);
    const { member: later } = member('attendee', 'LLLLLLLLLLLLLLLL', { address: '198.51.100.9' });
    expect(() => room.admitMessage(later, now)).toThrow(/chat is busy/);
    now = 1_000;
    room.admitMessage(later, now);
  });

  it('refuses muted attendees until the mute ends', () => {
    const room = new ChatRoom('rally', [], 0);
    const { member: attendee } = member();
    room.apply({ kind: 'muted', id: 1, at: 0, authorId: AUTHOR, until: 60_000 });
    expect(() => room.admitMessage(attendee, 59_999)).toThrow(/muted/);
    room.admitMessage(attendee, 60_000);
  });

  it('removes the banned author’s attendee connections, not the organizer’s', () => {
    const room = new ChatRoom('rally', [], 0);
    const attendee = member();
    const other = member('attendee', 'CCCCCCCCCCCCCCCC');
    const organizer = member('organizer');
    for (const m of [attendee, other, organizer]) room.join(m.member);
    room.apply({ kind: 'banned', id: 1, at: 0, authorId: AUTHOR, banned: true });
    expect([attendee.removed, other.removed, organizer.removed]).toEqual([[AUTHOR], [], []]);
  });

  it('sends the attendee count with entries at once, alone only every few seconds', () => {
    const room = new ChatRoom('rally', [], 0);
    room.join(member().member);
    expect(room.takeBatches(10_000).full).toEqual({ entries: [], attendees: 1 });
    room.join(member('attendee', 'DDDDDDDDDDDDDDDD').member);
    expect(room.takeBatches(10_500)).toEqual({});
    room.apply(message(1));
    expect(room.takeBatches(10_600).full).toMatchObject({ attendees: 2, entries: [{ id: 1 }] });
    room.setTotalAttendees(40);
    expect(room.takeBatches(11_000)).toEqual({});
    expect(room.takeBatches(12_600)).toEqual({ full: { entries: [], attendees: 40 }, low: { entries: [], attendees: 40 } });
  });

  it('gives low-data members the organizer, moderation and a sample of attendees, and no frame without news for them', () => {
    const room = new ChatRoom('rally', [], 0);
    const attendee = (id: number, at: number): ChatEntry => ({ ...message(id), at });
    room.apply(attendee(1, 1_000));
    room.apply(attendee(2, 1_100));
    room.apply({ ...attendee(3, 1_200), role: 'organizer' } as ChatEntry);
    room.apply({ kind: 'pinned', id: 4, at: 1_300, text: 'Bring water' });
    const first = room.takeBatches(0);
    expect(first.full?.entries.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(first.low?.entries.map((e) => e.id)).toEqual([1, 3, 4]);
    room.apply(attendee(5, 2_000));
    const second = room.takeBatches(0);
    expect(second.full?.entries.map((e) => e.id)).toEqual([5]);
    expect(second.low).toBeUndefined();
  });
});
