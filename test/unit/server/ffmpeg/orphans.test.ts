import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOrphanedFfmpeg, reapOrphanedFfmpeg, STARTED_BY_ENV, type ProcessInfo } from '../../../../server/ffmpeg/orphans';
import { createLogger } from '../../../../server/logger';

const DATA = '/srv/jalsa/data';
const packager = ['/usr/bin/ffmpeg', '-i', '/srv/jalsa/data/recordings/rally/run-2/input.sdp', '/srv/jalsa/data/recordings/rally/run-2/360p.m3u8'];

/** A process as read from /proc: an unmarked one under init unless told otherwise. */
const proc = (argv: string[], parentName: string | undefined, more: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid: 10,
  argv,
  parentName,
  starterRunning: undefined,
  ...more,
});
/** The demo's ffmpeg: lavfi and a cached speech track in, RTP out; no file of the data directory. */
const demo = ['ffmpeg', '-re', '-f', 'lavfi', '-i', 'testsrc2', '-i', '/tmp/jalsa-speech/speech.wav', '-f', 'rtp', 'rtp://127.0.0.1:40000'];

describe('isOrphanedFfmpeg', () => {
  it('finds an ffmpeg a server started whose server is gone, whatever files it names', () => {
    expect(isOrphanedFfmpeg(proc(demo, 'systemd', { starterRunning: false }), DATA)).toBe(true);
    expect(isOrphanedFfmpeg(proc(demo, 'node', { starterRunning: true }), DATA)).toBe(false);
    // Unmarked, it cannot be told from someone else's ffmpeg.
    expect(isOrphanedFfmpeg(proc(demo, 'systemd'), DATA)).toBe(false);
  });

  it('finds an ffmpeg working in the data directory whose server is gone', () => {
    expect(isOrphanedFfmpeg(proc(packager, 'systemd'), DATA)).toBe(true);
    expect(isOrphanedFfmpeg(proc(packager, undefined), DATA)).toBe(true);
    expect(isOrphanedFfmpeg(proc(['ffmpeg', '-i', '/srv/jalsa/data/uploads/a/media'], 'tini'), DATA)).toBe(true);
  });

  it('leaves alone an ffmpeg a running server owns, other directories, and other programs', () => {
    expect(isOrphanedFfmpeg(proc(packager, 'node'), DATA)).toBe(false);
    expect(isOrphanedFfmpeg(proc(packager, 'init'), '/srv/jalsa/dat')).toBe(false);
    expect(isOrphanedFfmpeg(proc(packager, 'init'), '/srv/other')).toBe(false);
    expect(isOrphanedFfmpeg(proc(['/usr/bin/vlc', ...packager.slice(1)], 'init'), DATA)).toBe(false);
    expect(isOrphanedFfmpeg(proc([], 'init'), DATA)).toBe(false);
  });
});

describe('reapOrphanedFfmpeg', () => {
  it('kills a real ffmpeg left writing into the data directory after its parent died', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jalsa-orphans-'));
    const output = path.join(dataDir, 'recordings', 'out.wav');
    await fs.mkdir(path.dirname(output));
    // The shell starts ffmpeg in the background and exits: ffmpeg is re-parented, as when a server dies.
    const shell = spawn('sh', ['-c', `ffmpeg -nostdin -loglevel error -re -f lavfi -i anullsrc=r=8000 -y ${output} & echo $!`]);
    const pid = Number(await new Promise<string>((resolve) => shell.stdout.once('data', (b: Buffer) => resolve(b.toString()))));
    await new Promise((resolve) => shell.once('exit', resolve));
    // Running, not a zombie its new parent has yet to collect.
    const alive = () => fs.readFile(`/proc/${pid}/stat`, 'utf8').then((stat) => !/\) Z /.test(stat), () => false);
    expect(await alive()).toBe(true);

    expect(await reapOrphanedFfmpeg(path.join(os.tmpdir(), 'jalsa-not-this-one'), createLogger('silent'))).not.toContain(pid);
    expect(await alive()).toBe(true);
    expect(await reapOrphanedFfmpeg(dataDir, createLogger('silent'))).toEqual([pid]);
    await expect.poll(alive).toBe(false);
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  it('kills a real ffmpeg marked by a server that died, though it names no file of the data directory', async () => {
    // Marked with the shell's pid, as a server marks its ffmpeg; the shell exits as a killed server does.
    const shell = spawn('sh', ['-c', `${STARTED_BY_ENV}=$$ ffmpeg -nostdin -loglevel error -re -f lavfi -i anullsrc=r=8000 -f null - & echo $!`]);
    const pid = Number(await new Promise<string>((resolve) => shell.stdout.once('data', (b: Buffer) => resolve(b.toString()))));
    await new Promise((resolve) => shell.once('exit', resolve));
    const alive = () => fs.readFile(`/proc/${pid}/stat`, 'utf8').then((stat) => !/\) Z /.test(stat), () => false);
    expect(await alive()).toBe(true);
    expect(await reapOrphanedFfmpeg(path.join(os.tmpdir(), 'jalsa-any-data-dir'), createLogger('silent'))).toContain(pid);
    await expect.poll(alive).toBe(false);
  });
});
