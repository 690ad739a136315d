import fs from 'node:fs';

/** Debian's fonts-dejavu-core (installed by setup) for text burned into synthetic pictures. */
const BOLD_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** The font file for drawtext, or undefined where it is missing (pictures then go without text). */
export function boldFont(): string | undefined {
  return fs.existsSync(BOLD_FONT) ? BOLD_FONT : undefined;
}
