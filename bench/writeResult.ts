import fs from 'node:fs/promises';
import path from 'node:path';

const RESULTS_DIR = path.join(import.meta.dirname, 'results');

/** The figures a benchmark kept last time as bench/results/<name>.json, or null when there are none. */
export async function readResult(name: string): Promise<unknown> {
  const text = await fs.readFile(path.join(RESULTS_DIR, `${name}.json`), 'utf8').catch(() => null);
  return text === null ? null : JSON.parse(text);
}

/** Prints a benchmark's figures and keeps them as bench/results/<name>.json. */
export async function writeResult(name: string, figures: unknown): Promise<void> {
  await fs.mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await fs.writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\nwritten to ${path.relative(process.cwd(), file)}\n`);
}
