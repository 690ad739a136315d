import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../../../../client/src/player/MediaPlaylist';
import { WindowTimeline, shiftedRanges } from '../../../../client/src/player/windowTimeline';
import { ranges } from '../../../helpers/timeRanges';

/** A rung's live window 3 hours in, as the composer writes it: it begins at 10,800.25 s of the event. */
const WINDOW = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:5400
#JALSA-WINDOW-START:10800.250
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="runs/0/360p/init_1.mp4"
#EXTINF:2.000,
runs/0/360p/seg_05400.m4s
#EXTINF:2.000,
runs/0/360p/seg_05401.m4s
#EXTINF:2.000,
runs/0/360p/seg_05402.m4s
`;

/** The same window two seconds later. */
const RELOADED = WINDOW.replace('SEQUENCE:5400', 'SEQUENCE:5401').replace('10800.250', '10802.250');

/** A whole playlist (a replay's): it begins at the event's start. */
const WHOLE = `#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="runs/0/360p/init_1.mp4"
#EXTINF:2.000,
runs/0/360p/seg_00000.m4s
#EXT-X-ENDLIST
`;


/** An element as hls.js fills it: its own timeline, the first window's first segment at 0. */
function element(currentTime: number, ...buffered: Array<[number, number]>) {
  return { currentTime, buffered: ranges(...buffered) };
}

describe('WindowTimeline', () => {
  it('tells hls.js to start at the asked event time, counted from the window’s first segment, and keeps the playlist otherwise intact', () => {
    const adopted = new WindowTimeline(10_803.5).adopt(WINDOW);
    const lines = adopted.split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines[1]).toBe('#EXT-X-START:TIME-OFFSET=3.250');
    expect(lines.filter((line) => !line.startsWith('#EXT-X-START:')).join('\n')).toBe(WINDOW);
    // The segments are where they were: hls.js ignores nothing else, and our own parser reads them the same.
    expect(parseMediaPlaylist(adopted, 'http://jalsa.test/hls/r/360p.live.m3u8').segments).toEqual(
      parseMediaPlaylist(WINDOW, 'http://jalsa.test/hls/r/360p.live.m3u8').segments,
    );
  });

  it('starts at the window’s first segment when the asked time is no longer listed', () => {
    expect(new WindowTimeline(60).adopt(WINDOW)).toContain('#EXT-X-START:TIME-OFFSET=0.000\n');
  });

  it('leaves the start to hls.js when none is asked', () => {
    const timeline = new WindowTimeline(null);
    expect(timeline.adopt(WINDOW)).toBe(WINDOW);
    expect(timeline.offset).toBe(10_800.25);
  });

  it('is fixed by the first playlist: reloads and other rungs, which hls.js lines up with it, change nothing', () => {
    const timeline = new WindowTimeline(10_803.5);
    timeline.adopt(WINDOW);
    expect(timeline.adopt(RELOADED)).toBe(RELOADED);
    expect(timeline.offset).toBe(10_800.25);
  });

  it('waits for a playlist that lists a segment: hls.js places an empty one nowhere', () => {
    const timeline = new WindowTimeline(10_803.5);
    const empty = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:5400\n#JALSA-WINDOW-START:10790.000\n';
    expect(timeline.adopt(empty)).toBe(empty);
    expect(timeline.adopt(WINDOW)).toContain('#EXT-X-START:TIME-OFFSET=3.250\n');
    expect(timeline.offset).toBe(10_800.25);
  });

  it('maps the playhead and the buffer both ways between hls.js’s timeline and the event’s', () => {
    const timeline = new WindowTimeline(null);
    const media = element(1.5, [0, 4], [6, 8]);
    const view = timeline.view(media);
    // Before the first playlist nothing is buffered, and no offset is known.
    expect(view.currentTime).toBe(1.5);
    timeline.adopt(WINDOW);
    expect(view.currentTime).toBe(10_801.75);
    expect([view.buffered.start(0), view.buffered.end(0), view.buffered.start(1), view.buffered.end(1)]).toEqual([
      10_800.25, 10_804.25, 10_806.25, 10_808.25,
    ]);
    view.currentTime = 10_806.75;
    expect(media.currentTime).toBeCloseTo(6.5);
  });

  it('is the identity on a whole playlist, and gives its start to hls.js from its beginning', () => {
    const timeline = new WindowTimeline(42);
    expect(timeline.adopt(WHOLE)).toContain('#EXT-X-START:TIME-OFFSET=42.000\n');
    expect(timeline.offset).toBe(0);
    const media = element(42, [40, 44]);
    expect(timeline.view(media).currentTime).toBe(42);
  });
});

describe('shiftedRanges', () => {
  it('moves every range by the same amount', () => {
    const moved = shiftedRanges(ranges([1, 2], [3, 5]), 10);
    expect(moved.length).toBe(2);
    expect([moved.start(0), moved.end(0), moved.start(1), moved.end(1)]).toEqual([11, 12, 13, 15]);
  });
});
