/**
 * npm run bench
 * Runs every `bench:*` script of package.json one after another (never together: they would measure
 * each other), with default sizes, and says at the end which failed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const manifest = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const benches = Object.keys(manifest.scripts).filter((name) => name.startsWith('bench:'));
const failed: string[] = [];
for (const name of benches) {
  process.stdout.write(`\n=== npm run ${name}\n`);
  const { status } = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit' });
  if (status !== 0) failed.push(name);
}
process.stdout.write(`\n${benches.length - failed.length} of ${benches.length} benchmarks ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
process.exitCode = failed.length ? 1 : 0;
