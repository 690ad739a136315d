import fs from 'node:fs/promises';
import { FfmpegProcess } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';
import { boldFont, fontFor } from './fonts';
import { uploadedInputArgs } from './probeMedia';

/** Every picture an event shows instead of a camera is this size: the top video rung's. */
export const STILL_SIZE = { width: 1280, height: 720 } as const;
/** The slate's background, behind the title and around a picture of another shape. */
export const SLATE_COLOUR = '0x14213d';

const FIT = `scale=${STILL_SIZE.width}:${STILL_SIZE.height}:force_original_aspect_ratio=decrease,pad=${STILL_SIZE.width}:${STILL_SIZE.height}:-1:-1:color=${SLATE_COLOUR},setsar=1`;

const FONT_SIZE = 56;
/** A line of a slate, from the top of one to the top of the next. */
const LINE_HEIGHT = 80;

/**
 * The text of `textFile` drawn as it was typed, centred, with `font` (see `fontFor`: a title in Urdu needs
 * a font with Arabic script): `expansion=none`, or drawtext would read `%{…}` in it as a function
 * (`%{pts}`, `%{eif:…}`) and a lone `%` as an error, and draw nothing. The paths are escaped for both
 * levels of filtergraph syntax, since a data directory may have `:` or `,` in its name. Empty where the
 * font is missing: the slate is then plain. `y` places the line's top; centred in the picture by default.
 */
export function slateText(textFile: string, font: string | undefined = boldFont(), y = '(h-th)/2'): string {
  if (!font) return '';
  return (
    `,drawtext=fontfile=${filterValue(font)}:textfile=${filterValue(textFile)}:expansion=none` +
    `:fontsize=${FONT_SIZE}:fontcolor=white:x=(w-tw)/2:y=${y}`
  );
}

/**
 * A value safe inside a filtergraph option: escaped first as an option value (`\`, `'`, `:`), then as
 * part of the filtergraph (`\`, `'`, `[`, `]`, `,`, `;`), as ffmpeg's filter documentation describes.
 */
export function filterValue(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

/**
 * Writes a PNG slate of `lines` (a title, a notice in English and Urdu) to `outFile`, each line centred
 * on its own (a right-to-left line is centred like the others, not pushed to the left of a block) and
 * drawn with a font for its own script. Each line reaches drawtext through a file beside `outFile`,
 * removed afterwards; an empty line is a gap.
 */
export async function renderSlate(lines: readonly string[], outFile: string, logger: Logger): Promise<void> {
  const top = (STILL_SIZE.height - lines.length * LINE_HEIGHT) / 2;
  const textFiles = lines.map((_, i) => `${outFile}.line${i}.txt`);
  try {
    await Promise.all(lines.map((line, i) => fs.writeFile(textFiles[i]!, line)));
    const text = lines.map((line, i) => (line.trim() ? slateText(textFiles[i]!, fontFor(line), String(top + i * LINE_HEIGHT)) : '')).join('');
    const source = `color=c=${SLATE_COLOUR}:s=${STILL_SIZE.width}x${STILL_SIZE.height}${text}`;
    await runOnce(['-f', 'lavfi', '-i', source, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', outFile], logger);
  } finally {
    await Promise.all(textFiles.map((file) => fs.rm(file, { force: true })));
  }
}

/**
 * Writes an uploaded picture, read only with the demuxer ffprobe found, as a PNG of {@link STILL_SIZE}
 * (letterboxed): what the packager reads afterwards is a file this server made, of a known size.
 */
export function fitPicture(upload: string, demuxer: string, outFile: string, logger: Logger): Promise<void> {
  return runOnce(
    [...uploadedInputArgs(demuxer), '-i', upload, '-vf', FIT, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', outFile],
    logger,
  );
}

async function runOnce(args: string[], logger: Logger): Promise<void> {
  const ffmpeg = await FfmpegProcess.start(['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { logger });
  const exit = await ffmpeg.exited;
  if (exit.reason !== 'exited') throw new Error(`ffmpeg could not make the picture: ${ffmpeg.stderr.trim().slice(-300) || exit.reason}`);
}
