import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FfmpegProcess } from '../ffmpeg/FfmpegProcess';
import type { Logger } from '../logger';
import { SPEECH_PARAGRAPHS } from './speechText';

/** Debian's espeak-ng (installed by setup): minutes of speech in about a second, no model to download. */
const ESPEAK = 'espeak-ng';
const VOICE = 'en-us';
const WORDS_PER_MINUTE = 150;
const TEXT = SPEECH_PARAGRAPHS.join('\n\n');

/** Named by what it holds, so a change of text or voice makes a new file instead of reusing a stale one. */
export const SPEECH_TRACK_FILE = path.join(
  os.tmpdir(),
  `jalsa-speech-${createHash('sha256').update(`${VOICE}|${WORDS_PER_MINUTE}|${TEXT}`).digest('hex').slice(0, 16)}.wav`,
);

let generating: Promise<string | undefined> | undefined;

/**
 * The path of a WAV file of synthetic speech (a few minutes, looped by whoever plays it), synthesised
 * once per machine; undefined, with a warning, where espeak-ng is missing or fails — callers then fall
 * back to a tone, which AAC and Opus encode at a fraction of speech's bitrate.
 */
export function speechTrack(logger: Logger): Promise<string | undefined> {
  generating ??= generate(logger);
  return generating;
}

async function generate(logger: Logger): Promise<string | undefined> {
  if (await fs.access(SPEECH_TRACK_FILE).then(() => true, () => false)) return SPEECH_TRACK_FILE;
  // Written aside and renamed, so a concurrent process never reads half a file.
  const partial = `${SPEECH_TRACK_FILE}.${process.pid}.tmp`;
  try {
    const espeak = await FfmpegProcess.start(
      ['-v', VOICE, '-s', String(WORDS_PER_MINUTE), '-w', partial, TEXT],
      { logger, command: ESPEAK },
    );
    const exit = await espeak.exited;
    if (exit.reason !== 'exited') throw new Error(`${ESPEAK} ${exit.reason} (code ${exit.code}): ${espeak.stderr}`);
    await fs.rename(partial, SPEECH_TRACK_FILE);
    return SPEECH_TRACK_FILE;
  } catch (error) {
    await fs.rm(partial, { force: true });
    logger.warn({ err: error }, 'no speech track (is espeak-ng installed?): the synthetic source carries a tone');
    return undefined;
  }
}
