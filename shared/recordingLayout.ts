/**
 * Where a recording's files are. Paths are relative to the recording's directory and '/'-separated, so
 * the same path names a file on the server's disk (under the event's recording directory) and in a URL
 * (`recordingUrl`): the playlists we compose list segments by exactly these paths.
 *
 *   master.m3u8, <rung>.m3u8      composed from every run (PlaylistComposer): the whole event, for replay,
 *                                 rewinding and the audio download; VOD once the event has ended
 *   live.m3u8, <rung>.live.m3u8   the same, as a sliding window of the newest LIVE_WINDOW_SEGMENTS: what
 *                                 a live player loads and reloads, the same size at minute 1 and hour 3
 *   speech.m3u8, speech.live.m3u8 the Opus speech rung: composed like the others but left out of the
 *                                 masters (no CODECS from ffmpeg; only our audio pipe plays it)
 *   poster.jpg                    the still picture audio-only attendees see
 *   audio.m4a                     the audio-only rung as one download, once the event has ended
 *   .finished                     written once the recording was made final (never served: a dot file)
 *   event.json                    on a mirror only: the event as the origin's API describes it, pushed by the
 *                                 mirror kit for a watch page loaded from the mirror that cannot reach the
 *                                 origin (the origin serves its API instead, and not this file)
 *   gaps.jsonl                    one line per time the organizer's connection was lost while live,
 *                                 `{"from","to"}` ISO dates; the whole playlists mark each with an
 *                                 EXT-X-DATERANGE (CLASS ORGANIZER_AWAY_CLASS). Never served
 *   runs/<n>/                     what one packager run (one ffmpeg) wrote, numbered in start order
 *     run.json, input.sdp         what the run carried; the SFU's RTP description ffmpeg read
 *     <rung>/index.m3u8           ffmpeg's own playlist of the rung
 *     <rung>/init_<v>.mp4         its init segment (ffmpeg adds the variant index to the name we give)
 *     <rung>/seg_<nnnnn>.m4s      its media segments
 */
import { audioRung, packagedRungNames, speechRung } from './ladder';

const rungPlaylist = (rung: string): string => `${rung}.m3u8`;
const liveRungPlaylist = (rung: string): string => `${rung}.live.m3u8`;

/**
 * Segments in a live window playlist: 12 s, as many as Apple asks a live playlist to hold, twice what
 * a player starting 3 segments behind the edge needs, and about 300 bytes gzipped whatever the hour.
 */
export const LIVE_WINDOW_SEGMENTS = 6;

/**
 * Our own tag in a live window playlist: the seconds of the whole event's playlist before the window's
 * first segment, so a player following the window places its segments on the same timeline as the whole
 * playlist (and hls.js playing it). Players that do not know it ignore it, as HLS requires.
 */
export const WINDOW_START_TAG = '#JALSA-WINDOW-START:';
/** The CLASS of the EXT-X-DATERANGE that marks, in a recording's playlists, a time its organizer was away. */
export const ORGANIZER_AWAY_CLASS = 'org.jalsa.organizer-away';
const runs = 'runs';
const run = (number: number): string => `${runs}/${number}`;

/** A recording's files, relative to its directory. */
export const recordingFiles = {
  master: 'master.m3u8',
  rungPlaylist,
  /** The audio-only rung's playlist: what the audio pipe plays and the audio download is made from. */
  audioPlaylist: rungPlaylist(audioRung.name),
  /** The Opus speech rung's playlist, read only by the audio pipe (see speechRung). */
  speechPlaylist: rungPlaylist(speechRung.name),
  liveMaster: 'live.m3u8',
  liveRungPlaylist,
  /** The audio-only rung's live window: what the audio pipe follows during a live event. */
  liveAudioPlaylist: liveRungPlaylist(audioRung.name),
  poster: 'poster.jpg',
  audioDownload: 'audio.m4a',
  /** Left when an ended event's recording was made final: a restart does not finish it again. */
  finishedMarker: '.finished',
  /** On a mirror, the event as the origin describes it (see the layout above). */
  eventDescription: 'event.json',
  /** The times the organizer was away (see the layout above). */
  gaps: 'gaps.jsonl',
  runs,
  run,
  /** The folder of one rung in one run: the prefix of that run's URIs in a composed playlist. */
  runRung: (number: number, rung: string): string => `${run(number)}/${rung}`,
} as const;

/** What one packager run writes, relative to its own directory (`recordingFiles.run(n)`). */
export const runFiles = {
  description: 'run.json',
  sdp: 'input.sdp',
  rungPlaylist: (rung: string): string => `${rung}/index.m3u8`,
  /** The init segment's name as given to ffmpeg, which adds `_<variant index>`: `init_3.mp4`. */
  init: 'init.mp4',
  /** An ffmpeg pattern: `%05d` is the segment's number. */
  segments: (rung: string): string => `${rung}/seg_%05d.m4s`,
} as const;

/** ffmpeg's stand-in for each variant's name (from -var_stream_map, our rung names) in its output paths. */
export const FFMPEG_VARIANT = '%v';

export type RecordingFileKind = 'playlist' | 'segment' | 'init' | 'audioDownload' | 'poster';

/** Every kind of file a recording serves, by extension. */
const KINDS: Readonly<Record<string, RecordingFileKind>> = {
  '.m3u8': 'playlist',
  '.m4s': 'segment',
  '.mp4': 'init',
  '.m4a': 'audioDownload',
  '.jpg': 'poster',
};

export const RECORDING_CONTENT_TYPES: Readonly<Record<RecordingFileKind, string>> = {
  playlist: 'application/vnd.apple.mpegurl',
  segment: 'video/iso.segment',
  init: 'video/mp4',
  audioDownload: 'audio/mp4',
  poster: 'image/jpeg',
};

/** What a recording file is, from its name or path; undefined for anything a recording does not serve. */
export function recordingFileKind(name: string): RecordingFileKind | undefined {
  const dot = name.lastIndexOf('.');
  // As path.extname: a leading dot is a hidden file's name, not an extension.
  if (dot <= name.lastIndexOf('/') + 1) return undefined;
  return KINDS[name.slice(dot)];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The paths (relative to a recording's directory) that players fetch: the composed playlists of every
 * rung, the poster, the audio download, and each run's init and media segments, as ffmpeg names them
 * (`init_<variant>.mp4`, `seg_<nnnnn>.m4s`, five digits and more past 55 hours). Not ffmpeg's own
 * playlists, run descriptions or anything else on disk: an edge forwards only these to its origin, so
 * a hostile request cannot make it fetch any other URL.
 */
function playerPathPattern(): RegExp {
  const rungs = packagedRungNames(true);
  const { master, liveMaster, poster, audioDownload } = recordingFiles;
  const topLevel = [master, liveMaster, poster, audioDownload, ...rungs.flatMap((r) => [rungPlaylist(r), liveRungPlaylist(r)])];
  const [initName, initExtension] = runFiles.init.split('.') as [string, string];
  const runFile = [
    `${escapeRegExp(initName)}_\\d{1,2}\\.${escapeRegExp(initExtension)}`,
    escapeRegExp(runFiles.segments('')).slice(1).replace('%05d', '\\d{5,9}'),
  ];
  const inRun = `${escapeRegExp(runs)}/\\d{1,6}/(?:${rungs.map(escapeRegExp).join('|')})/(?:${runFile.join('|')})`;
  return new RegExp(`^(?:${topLevel.map(escapeRegExp).join('|')}|${inRun})$`);
}
// Made on first use: the watch page's boot script imports this module and never needs it.
let playerPath: RegExp | undefined;

/** Whether `file` is a path this layout serves to players (see playerPathPattern). */
export function isPlayerFile(file: string): boolean {
  playerPath ??= playerPathPattern();
  return playerPath.test(file);
}

/** Where every event's HLS and recording files are served: one event's under `${RECORDINGS_URL_PATH}/<slug>/`. */
export const RECORDINGS_URL_PATH = '/hls';

/** The URL path of one of an event's recording files (a path from `recordingFiles`, or a URI from its playlists). */
export function recordingUrl(slug: string, file: string): string {
  return `${RECORDINGS_URL_PATH}/${slug}/${file}`;
}

/** Every URL a player needs of an event (in the recording layout, no schema: the watch page's boot script imports it). */
export const recordingUrls = (slug: string) => ({
  master: recordingUrl(slug, recordingFiles.master),
  liveMaster: recordingUrl(slug, recordingFiles.liveMaster),
  audioOnly: recordingUrl(slug, recordingFiles.audioPlaylist),
  speech: recordingUrl(slug, recordingFiles.speechPlaylist),
  liveAudioOnly: recordingUrl(slug, recordingFiles.liveAudioPlaylist),
  liveSpeech: recordingUrl(slug, recordingFiles.liveRungPlaylist(speechRung.name)),
  poster: recordingUrl(slug, recordingFiles.poster),
  audioDownload: recordingUrl(slug, recordingFiles.audioDownload),
  eventDescription: recordingUrl(slug, recordingFiles.eventDescription),
});
