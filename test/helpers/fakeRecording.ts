import fs from 'node:fs/promises';
import path from 'node:path';
import { recordingFiles } from '../../shared/recordingLayout';

/**
 * A recording directory laid out as the packager and composer leave it, for tests of what reads it (the
 * mirror kit): one audio rung, `segments` segments of run 1, its whole and window playlists, the live
 * master and a poster. `add` writes one more segment and the playlists that list it, in the composer's order.
 */
export class FakeRecording {
  readonly dir: string;
  #segments = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  static async create(dir: string, segments: number): Promise<FakeRecording> {
    const recording = new FakeRecording(dir);
    await fs.mkdir(path.join(dir, recordingFiles.runRung(1, 'audio')), { recursive: true });
    await fs.writeFile(path.join(dir, recordingFiles.runRung(1, 'audio'), 'init_3.mp4'), 'init');
    await fs.writeFile(path.join(dir, recordingFiles.poster), 'jpeg');
    for (let i = 0; i < segments; i++) await recording.add();
    await fs.writeFile(path.join(dir, recordingFiles.liveMaster), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=38400,CODECS="mp4a.40.2"\naudio.live.m3u8\n');
    return recording;
  }

  segment(n: number): string {
    return `${recordingFiles.runRung(1, 'audio')}/seg_${String(n).padStart(5, '0')}.m4s`;
  }

  get init(): string {
    return `${recordingFiles.runRung(1, 'audio')}/init_3.mp4`;
  }

  async add(): Promise<void> {
    const n = this.#segments++;
    await fs.writeFile(path.join(this.dir, this.segment(n)), `segment ${n}`);
    const lines = (from: number) =>
      Array.from({ length: this.#segments - from }, (_, i) => `#EXTINF:2.000,\n${this.segment(from + i)}\n`).join('');
    const head = `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="${this.init}"\n`;
    await fs.writeFile(path.join(this.dir, recordingFiles.audioPlaylist), head + lines(0));
    await fs.writeFile(path.join(this.dir, recordingFiles.liveAudioPlaylist), head + lines(Math.max(0, this.#segments - 3)));
  }

  /** The event ended: the playlists are final and the recording marked finished. */
  async finish(): Promise<void> {
    for (const file of [recordingFiles.audioPlaylist, recordingFiles.liveAudioPlaylist]) {
      await fs.appendFile(path.join(this.dir, file), '#EXT-X-ENDLIST\n');
    }
    await fs.writeFile(path.join(this.dir, recordingFiles.finishedMarker), '');
  }
}
