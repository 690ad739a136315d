import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../../../server/sfu/fileSource';
import { createLogger } from '../../../../server/logger';
import { filterValue, renderSlate } from '../../../../server/sfu/slate';
import { boldFont, fontFor } from '../../../../server/sfu/fonts';

const run = promisify(execFile);
/** A data directory whose name has every character that ends an option or a filter in a filtergraph. */
let dir: string;
let media: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jalsa-slate a:b,c;d'e[f]g\\h-"));
  media = path.join(dir, 'speech.m4a');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', media]);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

/** The MD5 of every video frame ffmpeg makes of `inputArgs`' first input, and what it said on stderr. */
async function frameHashes(inputArgs: string[]): Promise<{ hashes: string[]; stderr: string }> {
  const { stdout, stderr } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...inputArgs, '-map', '0:v:0', '-f', 'framemd5', '-']);
  const hashes = stdout.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(',').at(-1)!.trim());
  return { hashes, stderr };
}

describe('the title slate of an audio-only file broadcast', () => {
  it('draws a title with %{pts}, %, :, quote, backslash and Urdu as typed, unchanging from frame to frame', async () => {
    expect(boldFont(), 'the slate needs fonts-dejavu-core').toBeDefined();
    const titleFile = path.join(dir, 'title.txt');
    const title = "%{pts} 100% jalsa: 'zindabad' \\ %{eif:1:d} جلسہ زندہ باد";
    await fs.writeFile(titleFile, title);
    const source = fileSource({
      media, mediaDemuxer: 'mov', mediaHasVideo: false, durationSeconds: 1, image: undefined, titleFile, titleFont: fontFor(title), loop: false,
    });
    const titled = await frameHashes(source.inputArgs);
    expect(titled.stderr).toBe('');
    expect(titled.hashes.length).toBeGreaterThanOrEqual(4);
    // Expanded, %{pts} would change the picture every frame; as text, every frame is the same.
    expect(new Set(titled.hashes).size).toBe(1);
    const plain = await frameHashes(['-f', 'lavfi', '-t', '1', '-i', 'color=c=0x14213d:s=1280x720:r=5']);
    expect(plain.hashes[0]).not.toBe(titled.hashes[0]);
  });

  it('draws Urdu with a font that has Urdu’s letters, and Latin with the usual one', async () => {
    const urdu = fontFor('ہم جلد واپس آئیں گے');
    expect(urdu, 'Urdu needs fonts-hosny-amiri').toBeDefined();
    const { stdout } = await run('fc-query', ['--format=%{lang}\n', urdu!]);
    expect(stdout.split('|')).toContain('ur');
    expect(fontFor('We will be right back')).toBe(boldFont());
  });

  it('renders a slate of several lines, each from its own file, and leaves none of them behind', async () => {
    const out = path.join(dir, 'back-soon.png');
    await renderSlate(['We will be right back', 'ہم جلد واپس آئیں گے', '', "Rally: 100% 'now'"], out, createLogger('silent'));
    const { hashes, stderr } = await frameHashes(['-i', out]);
    expect(stderr).toBe('');
    const plain = await frameHashes(['-f', 'lavfi', '-i', 'color=c=0x14213d:s=1280x720', '-frames:v', '1']);
    expect(hashes[0]).not.toBe(plain.hashes[0]);
    expect((await fs.readdir(dir)).filter((name) => name.includes('.line'))).toEqual([]);
  });

  it('escapes a value for both levels of filtergraph syntax', () => {
    expect(filterValue('/plain/path.txt')).toBe('/plain/path.txt');
    expect(filterValue("a:b,c'd")).toBe("a\\\\:b\\,c\\\\\\'d");
    expect(filterValue('[x];\\')).toBe('\\[x\\]\\;\\\\\\\\');
  });
});

/** The options that precede one `-i` in ffmpeg's arguments, back to the previous input. */
function optionsOf(args: string[], input: string): string[] {
  const at = args.indexOf(input);
  const previous = args.lastIndexOf('-i', at - 2);
  return args.slice(previous === -1 ? 0 : previous + 2, at - 1);
}

describe('fileSource', () => {
  it('reads an uploaded video only with the demuxer it was checked with, and only from a local file', () => {
    const { inputArgs } = fileSource({
      media: '/data/uploads/r/1/media', mediaDemuxer: 'matroska', mediaHasVideo: true, durationSeconds: 5, image: undefined, titleFile: '/t', loop: false,
    });
    expect(optionsOf(inputArgs, '/data/uploads/r/1/media')).toEqual(['-re', '-f', 'matroska', '-protocol_whitelist', 'file']);
  });

  it('holds both the sound and the uploaded picture to their demuxers', () => {
    const { inputArgs } = fileSource({
      media: '/u/media', mediaDemuxer: 'mp3', mediaHasVideo: false, durationSeconds: 5, image: { file: '/u/image', demuxer: 'png_pipe' }, titleFile: '/t', loop: false,
    });
    expect(optionsOf(inputArgs, '/u/image')).toEqual(expect.arrayContaining(['-f', 'png_pipe', '-protocol_whitelist', 'file']));
    expect(optionsOf(inputArgs, '/u/media')).toEqual(['-re', '-f', 'mp3', '-protocol_whitelist', 'file']);
  });

  it('loops the sound for ever, and the picture with it, when the organizer chose to loop', () => {
    const { inputArgs } = fileSource({
      media: '/u/media', mediaDemuxer: 'mp3', mediaHasVideo: false, durationSeconds: 5, image: { file: '/u/image', demuxer: 'png_pipe' }, titleFile: '/t', loop: true,
    });
    expect(optionsOf(inputArgs, '/u/media')).toEqual(['-re', '-stream_loop', '-1', '-f', 'mp3', '-protocol_whitelist', 'file']);
    expect(optionsOf(inputArgs, '/u/image')).not.toContain('-t');
  });
});
