import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FfmpegProcess, FfmpegSpawnError } from '../../../../server/ffmpeg/FfmpegProcess';
import { createLogger } from '../../../../server/logger';

const logger = createLogger('silent');
/** An input that never ends by itself, at almost no CPU: ffmpeg runs until stopped. */
const ENDLESS = ['-hide_banner', '-re', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-f', 'null', '-'];

/** A signal sent before a program has set up its handlers finds the default action: wait until it says it is running. */
async function untilStderr(process: FfmpegProcess, pattern: RegExp): Promise<void> {
  await expect.poll(() => process.stderr, { timeout: 5_000, interval: 20 }).toMatch(pattern);
}

describe('FfmpegProcess', () => {
  it('reports a run that ends by itself with success as exited', async () => {
    const ffmpeg = await FfmpegProcess.start(['-version'], { logger });
    expect(ffmpeg.pid).toBeGreaterThan(0);
    expect(await ffmpeg.exited).toEqual({ reason: 'exited', code: 0, signal: null });
  });

  it('reports a failing run as crashed and keeps what it said on stderr', async () => {
    const ffmpeg = await FfmpegProcess.start(['-hide_banner', '-i', '/nonexistent/input.mp4', '-f', 'null', '-'], { logger });
    const exit = await ffmpeg.exited;
    expect(exit.reason).toBe('crashed');
    expect(exit.code).not.toBe(0);
    expect(ffmpeg.stderr).toMatch(/No such file or directory/);
  });

  it('rejects the start of a program that cannot be spawned, with no uncaught error', async () => {
    const start = FfmpegProcess.start(['-version'], { logger, command: 'jalsa-no-such-ffmpeg' });
    await expect(start).rejects.toBeInstanceOf(FfmpegSpawnError);
    await expect(start).rejects.toMatchObject({ reason: 'spawnFailed', message: expect.stringMatching(/ENOENT/) });
  });

  it('stops ffmpeg with SIGINT, so it finishes cleanly, and every stop gets the same exit', async () => {
    const ffmpeg = await FfmpegProcess.start(ENDLESS, { logger });
    await untilStderr(ffmpeg, /Output #0/);
    const first = ffmpeg.stop();
    const second = ffmpeg.stop();
    const exit = await first;
    expect(exit.reason).toBe('stopped');
    // ffmpeg handles SIGINT itself and exits with a code, instead of being killed by the signal.
    expect(exit.signal).toBeNull();
    expect(await second).toBe(exit);
  });

  it('kills a process that ignores SIGINT once the grace has passed', async () => {
    const stubborn = await FfmpegProcess.start(['-c', 'trap "" INT; echo ready >&2; exec sleep 30'], { logger, command: 'sh', stopGraceMs: 200 });
    await untilStderr(stubborn, /ready/);
    const startedAt = Date.now();
    expect(await stubborn.stop()).toEqual({ reason: 'stopped', code: null, signal: 'SIGKILL' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
  });

  it('kills every ffmpeg still running at once when the process must exit, and only those', async () => {
    const running = await Promise.all([FfmpegProcess.start(ENDLESS, { logger }), FfmpegProcess.start(ENDLESS, { logger })]);
    const finished = await FfmpegProcess.start(['-version'], { logger });
    await finished.exited;
    FfmpegProcess.killAll();
    for (const ffmpeg of running) expect(await ffmpeg.exited).toEqual({ reason: 'crashed', code: null, signal: 'SIGKILL' });
    expect(await finished.exited).toEqual({ reason: 'exited', code: 0, signal: null });
  });

  it('keeps only the tail of a long stderr', async () => {
    const chatty = await FfmpegProcess.start(['-c', 'for i in $(seq 1 2000); do echo "line $i" >&2; done'], { logger, command: 'sh' });
    await chatty.exited;
    expect(chatty.stderr.length).toBeLessThanOrEqual(2_000);
    expect(chatty.stderr.trimEnd().endsWith('line 2000')).toBe(true);
  });

  it('stopping a process that already ended keeps its own reason', async () => {
    const ffmpeg = await FfmpegProcess.start(['-version'], { logger });
    await ffmpeg.exited;
    expect((await ffmpeg.stop()).reason).toBe('exited');
  });

  it('logs at most a few crashes a minute, however many ffmpeg runs fail', async () => {
    const lines: string[] = [];
    const counting = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const crashes = await Promise.all(
      Array.from({ length: 25 }, () => FfmpegProcess.start(['-c', 'exit 1'], { logger: counting, command: 'sh' })),
    );
    expect((await Promise.all(crashes.map((c) => c.exited))).every((exit) => exit.reason === 'crashed')).toBe(true);
    const logged = lines.filter((line) => line.includes('ffmpeg exited unexpectedly'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(10);
  });
});
