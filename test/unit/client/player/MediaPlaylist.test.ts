import { describe, expect, it } from 'vitest';
import {
  listsFrom,
  mergeReload,
  parseLadder,
  parseMediaPlaylist,
  segmentAt,
  segmentNumbered,
  windowStart,
} from '../../../../client/src/player/MediaPlaylist';

const BASE = 'http://jalsa.test/hls/rally/audio.m3u8';

/** As the packager composes them: two runs of the encoder, joined by a discontinuity. */
const LIVE = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="runs/0/audio/init_3.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T04:25:26.474+0000
#EXTINF:2.005,
runs/0/audio/seg_00000.m4s
#EXTINF:1.995,
runs/0/audio/seg_00001.m4s
#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="runs/1/audio/init_3.mp4"
#EXTINF:2.000,
runs/1/audio/seg_00000.m4s
`;

describe('parseMediaPlaylist', () => {
  it('places each segment on the playlist timeline with its init segment, across a discontinuity', () => {
    const playlist = parseMediaPlaylist(LIVE, BASE);
    expect(playlist.ended).toBe(false);
    expect(playlist.targetDuration).toBe(2);
    expect(playlist.duration).toBeCloseTo(6);
    expect(playlist.segments.map((s) => [s.index, s.start, s.discontinuity])).toEqual([
      [0, 0, false],
      [1, 2.005, false],
      [2, 4, true],
    ]);
    expect(playlist.segments[0]!.url).toBe('http://jalsa.test/hls/rally/runs/0/audio/seg_00000.m4s');
    expect(playlist.segments[2]!.initUrl).toBe('http://jalsa.test/hls/rally/runs/1/audio/init_3.mp4');
  });

  it('knows a finished recording by its end tag', () => {
    expect(parseMediaPlaylist(`${LIVE}#EXT-X-ENDLIST\n`, BASE).ended).toBe(true);
  });

  it('finds the segment playing at a moment, and the last one past the end', () => {
    const playlist = parseMediaPlaylist(LIVE, BASE);
    expect(segmentAt(playlist, 0)?.index).toBe(0);
    expect(segmentAt(playlist, 2.1)?.index).toBe(1);
    expect(segmentAt(playlist, 99)?.index).toBe(2);
    expect(segmentAt(parseMediaPlaylist('#EXTM3U\n', BASE), 0)).toBeUndefined();
  });
});

/** A live window as the composer writes it: three segments numbered from 5,400, 3 hours in. */
const WINDOW = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:5400
#EXT-X-DISCONTINUITY-SEQUENCE:1
#JALSA-WINDOW-START:10800.250
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="runs/1/audio/init_3.mp4"
#EXTINF:2.000,
runs/1/audio/seg_05399.m4s
#EXTINF:2.000,
runs/1/audio/seg_05400.m4s
#EXTINF:2.000,
runs/1/audio/seg_05401.m4s
`;

/** The next reload: the window moved on by one segment. */
const RELOADED = WINDOW.replace('SEQUENCE:5400', 'SEQUENCE:5401')
  .replace('10800.250', '10802.250')
  .replace('#EXTINF:2.000,\nruns/1/audio/seg_05399.m4s\n', '')
  .concat('#EXTINF:2.000,\nruns/1/audio/seg_05402.m4s\n');

describe('live window playlists', () => {
  it('numbers and times a window’s segments as the whole playlist does', () => {
    const window = parseMediaPlaylist(WINDOW, BASE);
    expect(window.segments.map((s) => [s.index, s.start])).toEqual([
      [5400, 10800.25],
      [5401, 10802.25],
      [5402, 10804.25],
    ]);
    expect(window.duration).toBeCloseTo(10806.25);
    expect(segmentNumbered(window, 5401)?.url).toBe('http://jalsa.test/hls/rally/runs/1/audio/seg_05400.m4s');
    expect(segmentNumbered(window, 5399)).toBeUndefined();
  });

  it('keeps what was known and adds what a reload lists anew', () => {
    const merged = mergeReload(parseMediaPlaylist(WINDOW, BASE), parseMediaPlaylist(RELOADED, BASE));
    expect(merged.segments.map((s) => s.index)).toEqual([5400, 5401, 5402, 5403]);
    expect(merged.duration).toBeCloseTo(10808.25);
  });

  it('starts again from a window that moved past everything known, and keeps what is known from an empty one', () => {
    const far = parseMediaPlaylist(WINDOW.replace('SEQUENCE:5400', 'SEQUENCE:6000'), BASE);
    expect(mergeReload(parseMediaPlaylist(WINDOW, BASE), far)).toBe(far);
    const known = parseMediaPlaylist(WINDOW, BASE);
    const ended = mergeReload(known, parseMediaPlaylist('#EXTM3U\n#EXT-X-ENDLIST\n', BASE));
    expect(ended.segments).toBe(known.segments);
    expect(ended.ended).toBe(true);
  });

  it('tells whether a moment is still listed or lies before the window', () => {
    const window = parseMediaPlaylist(WINDOW, BASE);
    expect(listsFrom(window, 10801)).toBe(true);
    expect(listsFrom(window, 60)).toBe(false);
  });

  it('ignores a window start or media sequence that is not a number', () => {
    const garbled = parseMediaPlaylist(WINDOW.replace('5400', 'x').replace('10800.250', '-3'), BASE);
    expect(garbled.segments.map((s) => [s.index, s.start])).toEqual([
      [0, 0],
      [1, 2],
      [2, 4],
    ]);
  });
});

describe('windowStart', () => {
  it('reads where a window begins on the event’s timeline, and nothing from a whole playlist or a garbled tag', () => {
    expect(windowStart(WINDOW)).toBe(10_800.25);
    expect(windowStart(LIVE)).toBeNull();
    expect(windowStart(WINDOW.replace('10800.250', '-3'))).toBeNull();
    expect(windowStart(WINDOW.replace('10800.250', 'soon'))).toBeNull();
  });
});

describe('parseLadder', () => {
  it('reads what the cheapest video rung and the audio-only rung need from the master playlist', () => {
    const master = `#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=158400,AVERAGE-BANDWIDTH=132000,CODECS="avc1.42e01e,mp4a.40.2",RESOLUTION=320x180
180p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=537600,AVERAGE-BANDWIDTH=448000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360
360p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=38400,AVERAGE-BANDWIDTH=32000,CODECS="mp4a.40.2"
audio.m3u8
`;
    expect(parseLadder(master)).toEqual({ videoNeedBps: 158_400, audioNeedBps: 38_400 });
  });

  it('has no video need for an event recorded without video', () => {
    expect(parseLadder('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2"\naudio.m3u8\n')).toEqual({
      videoNeedBps: null,
      audioNeedBps: 38_400,
    });
  });
});
