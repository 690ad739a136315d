import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultVerdict } from '../../../server/processFaults';

const errnoError = (syscall: string) => Object.assign(new Error(`${syscall} ENOENT`), { code: 'ENOENT', syscall });

describe('faultVerdict', () => {
  it('keeps serving after any promise rejection nobody handled', () => {
    expect(faultVerdict('unhandledRejection', new Error('lost'))).toBe('continue');
    expect(faultVerdict('unhandledRejection', undefined)).toBe('continue');
  });

  it('keeps serving when the uncaught error is a child process failing to start or be signalled', () => {
    expect(faultVerdict('uncaughtException', errnoError('spawn ffmpeg'))).toBe('continue');
    expect(faultVerdict('uncaughtException', errnoError('spawn'))).toBe('continue');
    expect(faultVerdict('uncaughtException', errnoError('kill'))).toBe('continue');
  });

  it('stops the server after any other uncaught exception, whose state is undefined', () => {
    expect(faultVerdict('uncaughtException', new TypeError('x is undefined'))).toBe('exit');
    expect(faultVerdict('uncaughtException', errnoError('open'))).toBe('exit');
    expect(faultVerdict('uncaughtException', errnoError('spawnSync ffmpeg'))).toBe('exit');
    expect(faultVerdict('uncaughtException', null)).toBe('exit');
    expect(faultVerdict('uncaughtException', 'a string')).toBe('exit');
  });
});

describe('handleProcessFaults in a real Node process', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  /** Runs `body` in a fresh Node process with the handlers installed; `stop` prints and exits. */
  async function runWithHandlers(body: string): Promise<{ code: number | null; stdout: string }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-faults-'));
    const script = path.join(dir, 'script.ts');
    await fs.writeFile(script, [
      `import { spawn } from 'node:child_process';`,
      `import { createLogger } from ${JSON.stringify(path.join(root, 'server/logger.ts'))};`,
      `import { handleProcessFaults } from ${JSON.stringify(path.join(root, 'server/processFaults.ts'))};`,
      `handleProcessFaults(createLogger('silent'), async (reason) => { console.log('stopping after ' + reason); process.exit(); });`,
      body,
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await fs.rm(dir, { recursive: true, force: true });
    return { code, stdout };
  }

  it('keeps running after an unhandled rejection and a child that cannot be spawned, with no error listener', async () => {
    const { code, stdout } = await runWithHandlers([
      `void Promise.reject(new Error('nobody awaits this'));`,
      `spawn('jalsa-no-such-ffmpeg', ['-version']);`,
      `setTimeout(() => console.log('still serving'), 300);`,
    ].join('\n'));
    expect(stdout).toBe('still serving\n');
    expect(code).toBe(0);
  });

  it('stops through the server’s own shutdown, exiting with 1, after any other uncaught exception', async () => {
    const { code, stdout } = await runWithHandlers(`setTimeout(() => { throw new TypeError('broken state'); }, 10); setInterval(() => undefined, 1000);`);
    expect(stdout).toBe('stopping after uncaughtException\n');
    expect(code).toBe(1);
  });
});
