import fs from 'node:fs';

/** Debian's fonts-dejavu-core (installed by setup) for text burned into synthetic pictures. */
const BOLD_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
/**
 * Debian's fonts-hosny-amiri (installed by setup): Arabic script with Urdu's own letters (ٹ ڈ ڑ ں ے) and
 * Latin too, for slates in Urdu or with an Urdu title; DejaVu has only part of the Arabic block.
 */
const ARABIC_SCRIPT_FONT = '/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Bold.ttf';
/** Arabic, its supplements and presentation forms: what Urdu (and Arabic, Persian, Pashto …) is written in. */
const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;

/** The font file for drawtext, or undefined where it is missing (pictures then go without text). */
export function boldFont(): string | undefined {
  return fs.existsSync(BOLD_FONT) ? BOLD_FONT : undefined;
}

/**
 * The font to draw `text` with: one with Arabic script when the text has any (ffmpeg's drawtext, built
 * with fribidi, joins the letters and lays them right to left), else the usual one.
 */
export function fontFor(text: string): string | undefined {
  if (ARABIC_SCRIPT.test(text) && fs.existsSync(ARABIC_SCRIPT_FONT)) return ARABIC_SCRIPT_FONT;
  return boldFont();
}
