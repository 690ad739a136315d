import { describe, expect, it } from 'vitest';
import { packagerArgs } from '../../../../server/hls/packagerArgs';

const options = { sdpFile: '/rec/runs/4/input.sdp', runDir: '/rec/runs/4', posterFile: '/rec/poster.jpg', hasAudio: true };
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('packagerArgs', () => {
  it('writes each rung into its own folder of the run, named as the playlists list them', () => {
    const args = packagerArgs({ ...options, hasVideo: true });
    expect(after(args, '-var_stream_map')).toBe('v:0,a:0,name:180p v:1,a:1,name:360p v:2,a:2,name:720p a:3,name:audio a:4,name:speech');
    expect(after(args, '-hls_segment_filename')).toBe('/rec/runs/4/%v/seg_%05d.m4s');
    expect(after(args, '-hls_fmp4_init_filename')).toBe('init.mp4');
    expect(args.at(-1)).toBe('/rec/poster.jpg');
    expect(args).toContain('/rec/runs/4/%v/index.m3u8');
  });

  it('writes only the audio rungs, and no poster, when there is no video', () => {
    const args = packagerArgs({ ...options, hasVideo: false });
    expect(after(args, '-var_stream_map')).toBe('a:0,name:audio a:1,name:speech');
    expect(args.at(-1)).toBe('/rec/runs/4/%v/index.m3u8');
    expect(args).not.toContain('/rec/poster.jpg');
  });

  it('encodes the speech rung as 16 kbps mono Opus for voice in 20 ms frames at 48 kHz, the AAC rungs staying at 24 kHz', () => {
    const args = packagerArgs({ ...options, hasVideo: true });
    expect(after(args, '-c:a:4')).toBe('libopus');
    expect(after(args, '-b:a:4')).toBe('16k');
    expect(after(args, '-application:a:4')).toBe('voip');
    expect(after(args, '-frame_duration:a:4')).toBe('20');
    expect(after(args, '-ar')).toBe('24000');
    expect(after(args, '-ar:a:4')).toBe('48000');
    expect(args.indexOf('-ar:a:4')).toBeGreaterThan(args.indexOf('-ar'));
    expect(after(args, '-c:a:3')).toBe('aac');
  });

  it('makes the video rungs and the poster from a still picture at one frame a second when the organizer sends sound alone', () => {
    const args = packagerArgs({ ...options, hasVideo: false, stillFile: '/data/stills/rally/title.png' });
    expect(after(args, '-var_stream_map')).toBe('v:0,a:0,name:180p v:1,a:1,name:360p v:2,a:2,name:720p a:3,name:audio a:4,name:speech');
    // Read as the PNG this server wrote, looped at the pace of the live sound.
    expect(args.slice(args.indexOf('/data/stills/rally/title.png') - 8, args.indexOf('/data/stills/rally/title.png'))).toEqual(
      ['-re', '-loop', '1', '-framerate', '1', '-f', 'png_pipe', '-i'],
    );
    const filters = after(args, '-filter_complex')!;
    expect(filters).toContain('[1:v]split=4');
    expect(filters).toContain('[s0]fps=1,scale=320:180');
    // Quality rather than a bitrate, which one frame a second would spend on that one frame.
    expect(after(args, '-crf:v:0')).toBe('30');
    expect(args).not.toContain('-b:v:0');
    expect(args.at(-1)).toBe('/rec/poster.jpg');
  });

  it('ignores the still while the camera sends video', () => {
    const args = packagerArgs({ ...options, hasVideo: true, stillFile: '/data/stills/rally/title.png' });
    expect(args).not.toContain('/data/stills/rally/title.png');
    expect(after(args, '-b:v:0')).toBe('100k');
  });
});
