import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublicEvent } from '../../../../shared/events';
import { recordingFiles } from '../../../../shared/recordingLayout';
import type { EventService } from '../../../../server/events/EventService';
import { RecordingCatalog } from '../../../../server/hls/RecordingCatalog';

const AUDIO_PLAYLIST = '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.000,\nseg_1.m4s\n#EXTINF:2.000,\nseg_2.m4s\n#EXT-X-ENDLIST\n';

function ended(slug: string): PublicEvent {
  return { slug, title: slug, status: 'ended', scheduledAt: null, startedAt: null, endedAt: null, createdAt: '2026-11-30T00:00:00Z' } as PublicEvent;
}

/** The two questions the catalog asks of the event owner, over a fixed list. */
function eventsOf(list: PublicEvent[]): EventService {
  return { list: () => list, get: (slug: string) => list.find((e) => e.slug === slug)! } as unknown as EventService;
}

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

async function withRecordings(slugs: string[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-catalog-'));
  made.push(dir);
  for (const slug of slugs) {
    await fs.mkdir(path.join(dir, slug));
    await fs.writeFile(path.join(dir, slug, recordingFiles.audioPlaylist), AUDIO_PLAYLIST);
  }
  return dir;
}

describe('RecordingCatalog', () => {
  it('reads each recording once, again only when told it changed, and pages the list', async () => {
    const dir = await withRecordings(['a', 'b', 'c']);
    const catalog = new RecordingCatalog(dir, eventsOf([ended('a'), ended('b'), ended('c')]));
    const pages = await Promise.all([catalog.list({ limit: 2, offset: 0 }), catalog.list({ limit: 2, offset: 0 })]);
    expect(pages[0]).toEqual(pages[1]);
    expect(pages[0]!.replays.map((r) => [r.slug, r.durationSeconds])).toEqual([['a', 4], ['b', 4]]);
    expect(pages[0]!.next).toBe(2);
    expect((await catalog.list({ limit: 2, offset: 2 })).next).toBeNull();
    expect(catalog.reads).toBe(3);
    await fs.writeFile(path.join(dir, 'a', recordingFiles.audioDownload), 'm4a');
    expect((await catalog.get('a'))?.hasAudioDownload).toBe(false);
    catalog.forget('a');
    expect((await catalog.get('a'))?.hasAudioDownload).toBe(true);
    expect(catalog.reads).toBe(4);
  });

  it('looks again, after a while, at an ended event it found without a recording', async () => {
    const dir = await withRecordings([]);
    let now = 0;
    const catalog = new RecordingCatalog(dir, eventsOf([ended('late')]), () => now);
    expect(await catalog.get('late')).toBeUndefined();
    await fs.mkdir(path.join(dir, 'late'));
    await fs.writeFile(path.join(dir, 'late', recordingFiles.audioPlaylist), AUDIO_PLAYLIST);
    now = 29_999;
    expect(await catalog.get('late')).toBeUndefined();
    now = 30_000;
    expect(await catalog.get('late')).toMatchObject({ slug: 'late', durationSeconds: 4 });
    expect(catalog.reads).toBe(2);
  });
});
