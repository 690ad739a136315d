import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { recordingFiles } from '../../../../shared/recordingLayout';
import { pathwayUrl } from '../../../../shared/steering';
import { MirrorPusher } from '../../../../server/mirror/MirrorPusher';
import { MirrorPushError, type MirrorTarget } from '../../../../server/mirror/MirrorTarget';
import { FakeRecording } from '../../../helpers/fakeRecording';
import { fakeBuiltClient } from '../../../helpers/mirror';
import { publicEvent } from '../../../helpers/publicEvent';

const SLUG = 'rally-1';
const RECORDING = pathwayUrl('', SLUG, '');

/**
 * A target that keeps what it was given, in order, and can be made to fail on one file: the recording's
 * files by their path in the recording, anything else (the watch page) by its URL path.
 */
class RecordingTarget implements MirrorTarget {
  readonly description = 'memory';
  readonly files = new Map<string, string>();
  readonly order: string[] = [];
  failOn: string | null = null;

  async put(urlPath: string, body: Buffer): Promise<void> {
    const file = named(urlPath);
    if (file === this.failOn) throw new MirrorPushError(file, 'refused');
    this.files.set(file, body.toString());
    this.order.push(file);
  }

  async has(urlPath: string): Promise<boolean> {
    return this.files.has(named(urlPath));
  }
}

function named(urlPath: string): string {
  return urlPath.startsWith(RECORDING) ? urlPath.slice(RECORDING.length) : urlPath;
}
let recording: FakeRecording;
let target: RecordingTarget;

beforeEach(async () => {
  recording = await FakeRecording.create(await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-mirror-')), 3);
  target = new RecordingTarget();
});

describe('MirrorPusher', () => {
  it('pushes every segment before any playlist that lists it, and the master last', async () => {
    await new MirrorPusher(recording.dir, SLUG, target).sync(0);
    const at = (file: string) => target.order.indexOf(file);
    for (const segment of [recording.init, recording.segment(0), recording.segment(2)]) {
      expect(at(segment)).toBeGreaterThanOrEqual(0);
      expect(at(segment)).toBeLessThan(at(recordingFiles.liveAudioPlaylist));
      expect(at(segment)).toBeLessThan(at(recordingFiles.audioPlaylist));
    }
    expect(at(recordingFiles.liveMaster)).toBeGreaterThan(at(recordingFiles.liveAudioPlaylist));
    expect(target.files.get(recordingFiles.poster)).toBe('jpeg');
  });

  it('pushes a segment once, and then only what is new', async () => {
    const pusher = new MirrorPusher(recording.dir, SLUG, target);
    await pusher.sync(0);
    expect((await pusher.sync(1_000)).pushed).toEqual([]);
    await recording.add();
    // The whole playlist waits for its interval while live; the window goes with its new segment.
    expect((await pusher.sync(2_000)).pushed).toEqual([recording.segment(3), recordingFiles.liveAudioPlaylist]);
    expect((await pusher.sync(31_000)).pushed).toEqual([recordingFiles.audioPlaylist]);
  });

  it('pushes no playlist while a segment it lists failed, and catches up at the next round', async () => {
    const pusher = new MirrorPusher(recording.dir, SLUG, target);
    target.failOn = recording.segment(1);
    await expect(pusher.sync(0)).rejects.toThrow(MirrorPushError);
    expect(target.files.has(recordingFiles.liveAudioPlaylist)).toBe(false);
    target.failOn = null;
    await recording.add();
    await pusher.sync(1_000);
    expect(target.files.get(recordingFiles.liveAudioPlaylist)).toContain(recording.segment(3));
    for (let n = 0; n < 4; n++) expect(target.files.has(recording.segment(n))).toBe(true);
  });

  it('after a restart, does not push again what the target already holds', async () => {
    await new MirrorPusher(recording.dir, SLUG, target).sync(0);
    const before = target.order.length;
    const { pushed } = await new MirrorPusher(recording.dir, SLUG, target).sync(0);
    expect(pushed.filter((file) => file.endsWith('.m4s') || file.endsWith('.mp4'))).toEqual([]);
    expect(target.order.length - before).toBe(pushed.length);
  });

  it('is complete once the finished recording is all on the target, its final playlists included', async () => {
    const pusher = new MirrorPusher(recording.dir, SLUG, target);
    expect((await pusher.sync(0)).complete).toBe(false);
    await recording.finish();
    const round = await pusher.sync(1_000);
    expect(round.complete).toBe(true);
    expect(target.files.get(recordingFiles.audioPlaylist)).toContain('#EXT-X-ENDLIST');
  });

  it('pushes the built client once, index.html after every file it names, and its hashed assets not again after a restart', async () => {
    const clientDir = await fakeBuiltClient();
    const pusher = new MirrorPusher(recording.dir, SLUG, target, { clientDir });
    const first = await pusher.sync(0);
    expect(first.pushed.slice(-3)).toEqual(['/assets/boot-abc.js', '/sw.js', '/index.html']);
    expect(target.files.get('/index.html')).toContain('boot-abc.js');
    await recording.add();
    expect((await pusher.sync(1_000)).pushed.filter((file) => file.startsWith('/'))).toEqual([]);

    const restarted = await new MirrorPusher(recording.dir, SLUG, target, { clientDir }).sync(2_000);
    expect(restarted.pushed.filter((file) => file.startsWith('/'))).toEqual(['/sw.js', '/index.html']);
  });

  it('refuses a client directory without a built page, pushing none of it', async () => {
    const clientDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-client-'));
    await fs.writeFile(path.join(clientDir, 'sw.js'), 'worker');
    await expect(new MirrorPusher(recording.dir, SLUG, target, { clientDir }).sync(0)).rejects.toThrow(/build:client/);
    expect(target.files.has('/sw.js')).toBe(false);
  });

  it('pushes the event description after the playlists, and again only when the event changed', async () => {
    let event: PublicEvent = publicEvent({ slug: SLUG, status: 'live' });
    const pusher = new MirrorPusher(recording.dir, SLUG, target, { describeEvent: () => event });
    await pusher.sync(0);
    expect(JSON.parse(target.files.get(recordingFiles.eventDescription)!)).toEqual(event);
    expect(target.order.indexOf(recordingFiles.eventDescription)).toBeGreaterThan(target.order.indexOf(recordingFiles.liveMaster));
    expect((await pusher.sync(1_000)).pushed).toEqual([]);
    event = { ...event, status: 'ended', revision: event.revision + 1 };
    expect((await pusher.sync(2_000)).pushed).toEqual([recordingFiles.eventDescription]);
    expect(JSON.parse(target.files.get(recordingFiles.eventDescription)!).status).toBe('ended');
  });
});
