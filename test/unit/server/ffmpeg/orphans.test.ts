import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOrphanedFfmpeg, reapOrphanedFfmpeg } from '../../../../server/ffmpeg/orphans';
import { createLogger } from '../../../../server/logger';

const DATA = '/srv/jalsa/data';
const packager = ['/usr/bin/ffmpeg', '-i', '/srv/jalsa/data/recordings/rally/run-2/input.sdp', '/srv/jalsa/data/recordings/rally/run-2/360p.m3u8'];

describe('isOrphanedFfmpeg', () => {
  it('finds an ffmpeg working in the data directory whose server is gone', () => {
    expect(isOrphanedFfmpeg({ pid: 10, argv: packager, parentName: 'systemd' }, DATA)).toBe(true);
    expect(isOrphanedFfmpeg({ pid: 10, argv: packager, parentName: undefined }, DATA)).toBe(true);
    expect(isOrphanedFfmpeg({ pid: 10, argv: ['ffmpeg', '-i', '/srv/jalsa/data/uploads/a/media'], parentName: 'tini' }, DATA)).toBe(true);
  });

  it('leaves alone an ffmpeg a running server owns, other directories, and other programs', () => {
    expect(isOrphanedFfmpeg({ pid: 10, argv: packager, parentName: 'node' }, DATA)).toBe(false);
    expect(isOrphanedFfmpeg({ pid: 10, argv: packager, parentName: 'init' }, '/srv/jalsa/dat')).toBe(false);
    expect(isOrphanedFfmpeg({ pid: 10, argv: packager, parentName: 'init' }, '/srv/other')).toBe(false);
    expect(isOrphanedFfmpeg({ pid: 10, argv: ['/usr/bin/vlc', ...packager.slice(1)], parentName: 'init' }, DATA)).toBe(false);
    expect(isOrphanedFfmpeg({ pid: 10, argv: [], parentName: 'init' }, DATA)).toBe(false);
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
});
