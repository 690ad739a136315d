import fs from 'node:fs/promises';
import path from 'node:path';
import { videoRungs } from '../../shared/ladder';
import { recordingFiles } from '../../shared/recordingLayout';
import type { Replay } from '../../shared/recordings';
import type { EventService } from '../events/EventService';
import { parseMediaPlaylist } from './PlaylistComposer';

/** What viewers can replay: ended events that left a recording, described from the files themselves. */
export class RecordingCatalog {
  readonly #recordingsDir: string;
  readonly #events: EventService;

  constructor(recordingsDir: string, events: EventService) {
    this.#recordingsDir = recordingsDir;
    this.#events = events;
  }

  async list(): Promise<Replay[]> {
    const ended = this.#events.list().filter((e) => e.status === 'ended');
    const described = await Promise.all(ended.map((event) => this.#describe(event.slug)));
    return described.flatMap((files, i) => {
      const event = ended[i]!;
      return files ? [{ slug: event.slug, title: event.title, startedAt: event.startedAt, endedAt: event.endedAt, ...files }] : [];
    });
  }

  async #describe(slug: string) {
    const dir = path.join(this.#recordingsDir, slug);
    const audioPlaylist = await fs.readFile(path.join(dir, recordingFiles.audioPlaylist), 'utf8').catch(() => undefined);
    if (audioPlaylist === undefined) return undefined;
    const durationSeconds = parseMediaPlaylist(audioPlaylist).segments.reduce((sum, s) => sum + s.duration, 0);
    const [hasVideo, hasPoster, hasAudioDownload] = await Promise.all(
      [recordingFiles.rungPlaylist(videoRungs[0].name), recordingFiles.poster, recordingFiles.audioDownload].map((name) =>
        fs.access(path.join(dir, name)).then(() => true, () => false),
      ),
    );
    return { durationSeconds: Math.round(durationSeconds * 10) / 10, hasVideo: hasVideo!, hasPoster: hasPoster!, hasAudioDownload: hasAudioDownload! };
  }
}
