import { describe, expect, it } from 'vitest';
import { fileSource } from '../../../../server/sfu/fileSource';

/** The options that precede one `-i` in ffmpeg's arguments, back to the previous input. */
function optionsOf(args: string[], input: string): string[] {
  const at = args.indexOf(input);
  const previous = args.lastIndexOf('-i', at - 2);
  return args.slice(previous === -1 ? 0 : previous + 2, at - 1);
}

describe('fileSource', () => {
  it('reads an uploaded video only with the demuxer it was checked with, and only from a local file', () => {
    const { inputArgs } = fileSource({
      media: '/data/uploads/r/1/media', mediaDemuxer: 'matroska', mediaHasVideo: true, durationSeconds: 5, image: undefined, titleFile: '/t',
    });
    expect(optionsOf(inputArgs, '/data/uploads/r/1/media')).toEqual(['-re', '-f', 'matroska', '-protocol_whitelist', 'file']);
  });

  it('holds both the sound and the uploaded picture to their demuxers', () => {
    const { inputArgs } = fileSource({
      media: '/u/media', mediaDemuxer: 'mp3', mediaHasVideo: false, durationSeconds: 5, image: { file: '/u/image', demuxer: 'png_pipe' }, titleFile: '/t',
    });
    expect(optionsOf(inputArgs, '/u/image')).toEqual(expect.arrayContaining(['-f', 'png_pipe', '-protocol_whitelist', 'file']));
    expect(optionsOf(inputArgs, '/u/media')).toEqual(['-re', '-f', 'mp3', '-protocol_whitelist', 'file']);
  });
});
