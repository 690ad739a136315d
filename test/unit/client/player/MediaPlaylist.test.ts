import { describe, expect, it } from 'vitest';
import { appendTail, parseLadder, parseMediaPlaylist, segmentAt } from '../../../../client/src/player/MediaPlaylist';

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

describe('appendTail', () => {
  const grown = `${LIVE}#EXTINF:2.000,\nruns/1/audio/seg_00001.m4s\n`;

  it('joins the tail of a playlist that was only appended to', () => {
    const offset = LIVE.length - 40;
    expect(appendTail(LIVE, offset, grown.slice(offset))).toBe(grown);
  });

  it('refuses a tail that does not line up, as when the file was rewritten (say, made VOD at the end)', () => {
    const rewritten = grown.replace('EVENT', 'VOD');
    const offset = LIVE.length - 40;
    expect(appendTail(LIVE, offset, rewritten.slice(offset))).toBeNull();
    expect(appendTail(LIVE, LIVE.length + 1, '')).toBeNull();
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
