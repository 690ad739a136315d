import type { LinkQuality } from '../player/LinkAssessment';
import type { AudioOnlyReason, Quality } from '../player/Playback';
import type { ConnectionState, HlsReason } from '../player/WatchSession';
import type { EventStatus, FileBroadcastEnd, FileBroadcastStatus } from '../../../shared/events';
import type { RecordingState } from '../../../shared/signalling';
import type { RtmpIngestStatus } from '../../../shared/rtmp';
import type { PublishState } from '../studio/OrganizerSession';
import { en as enProblems, ur as urProblems, type ProblemMessages } from './problemMessages';

/** Every user-facing string of the organizer's studio. */
export interface StudioMessages {
  cameraOn: string;
  cameraOff: string;
  /** While live with the microphone alone. */
  cameraOffLive: string;
  cameraUnavailable(reason: string): string;
  noMicrophone(reason: string): string;
  pictureHeading: string;
  pictureLabel: string;
  pictureSave: string;
  pictureSaved: string;
  mirrorsHeading: string;
  mirrorsHelp: string;
  /** One mirror a line: its name, then its address. */
  mirrorsLabel: string;
  /** The pathways' names in the order players prefer them; `origin` is this server. */
  mirrorsOrderLabel: string;
  mirrorsSave: string;
  mirrorsSaved: string;
  mirrorsLineInvalid(line: string): string;
  atEndLabel: string;
  atEnd: Record<FileBroadcastEnd, string>;
  fileState(status: FileBroadcastStatus): string;
  /** Going live from OBS or another encoder over RTMP (RtmpSettings). */
  rtmp: {
    heading: string;
    intro: string;
    serverUrlLabel: string;
    streamKeyLabel: string;
    showStreamKey: string;
    streamKeyWarning: string;
    /** This server takes no RTMP. */
    off: string;
    /** No encoder has published yet, one is publishing, or it dropped (the event goes on). */
    state: Record<'waiting' | RtmpIngestStatus['state'], string>;
    /** After the encoder dropped: go on with this tab's microphone (and camera) instead. */
    useMicrophone: string;
  };
  /** Shown for each status; `scheduled` reads "upcoming" to an organizer. */
  status: Record<EventStatus, string>;
  publish: Record<PublishState, string>;
  recorder: Record<RecordingState, string>;
  studioTitle: string;
  instanceKeyHeading: string;
  instanceKeyHelp: string;
  instanceKeyRejected: string;
  eventsHeading: string;
  heldEventsHeading: string;
  heldEventsHelp: string;
  noEvents: string;
  watchPage: string;
  forgetKey: string;
  newEvent: string;
  title: string;
  startsAt: string;
  startsAtOptional: string;
  creating: string;
  createEvent: string;
  eventReady(title: string): string;
  saveKeyNow: string;
  eventKeyExplained: string;
  studioLink: string;
  publicWatchLink: string;
  copy: string;
  copied: string;
  keyLabel: string;
  keyMalformed: string;
  keyNotAccepted: string;
  checking: string;
  saveKey: string;
  eventKeyHeading: string;
  eventKeyHelp(slug: string): string;
  savedKeyRejected: string;
  keyRevokedProblem: string;
  noSuchEvent: string;
  noSuchEventText(slug: string): string;
  backToStudio: string;
  allEvents: string;
  statusLabel: string;
  publishingLabel: string;
  watchLinkLabel: string;
  /** `message` is the recorder's own diagnostic (English). */
  recordingFailed(message: string | null): string;
  reconnecting: string;
  goLive: string;
  endEvent: string;
  confirmEnd: string;
  retryNow: string;
  useCamera: string;
  broadcastFileHeading: string;
  recordingFile: string;
  pictureFile: string;
  goLiveWithFile: string;
  cancelUpload: string;
  uploaded: string;
  uploading(percent: number, size: string): string;
  liveFigures: string;
  attendees: string;
  attendeeCounts(total: number, webrtc: number, hls: number, audio: number): string;
  yourStream(kind: 'audio' | 'video'): string;
  streamFigures(kbps: string, lost: string, packets: number): string;
  yourMedia: string;
  notReachingServer: string;
  recorderLabel: string;
  chatLabel: string;
  perMinute(count: number): string;
  webrtcSeats: string;
  seatsInUse(used: number, capacity: number): string;
  keyHeading: string;
  rotateKey: string;
  revokeKey: string;
  confirmRotate: string;
  confirmRevoke: string;
  newKeyHeading: string;
  newKeyExplained: string;
  revokedNotice: string;
  manageHeading: string;
  saveChanges: string;
  saving: string;
  saved: string;
  cancelEvent: string;
  confirmCancel: string;
  deleteEvent: string;
  removeRecording: string;
  confirmDelete: string;
  endBeforeDeleting: string;
  deleted: string;
  uplinkHeading: string;
  uplinkMeasuring: string;
  uplinkFigures(kbps: string, lost: string, roundTrip: string): string;
  /** Video qualities (simulcast layers) reaching the server, of all the camera could send. */
  uplinkLayers(sending: number, total: number): string;
  uplinkCameraOff: string;
  /** The link is close to forcing sound only. */
  uplinkAudioOnlySoon: string;
  /** Video stopped for the link; it returns by itself. */
  uplinkAudioOnly: string;
  whipHeading: string;
  whipHelp: string;
  whipUrlLabel: string;
  whipTokenLabel: string;
  whipTokenHelp: string;
  whipNeedsEventKey: string;
  showToken: string;
  hideToken: string;
}

/** Every user-facing string of the attendee pages (and the studio's newer ones, under `studio`). Functions take what varies; nothing here is HTML. */
export interface Messages {
  languageName: string;
  brand: string;
  loading: string;
  navEvents: string;
  navReplays: string;
  notFoundTitle: string;
  notFoundLink: string;
  tryAgain: string;
  homeTitle: string;
  homeLoading: string;
  homeEmpty: string;
  homeProblem: string;
  live: string;
  organizing: string;
  openStudio: string;
  moreEvents: string;
  connectionLabel: string;
  connection: Record<ConnectionState, string>;
  notStarted(scheduledAt: string | null): string;
  ended: string;
  cancelled: string;
  endedWatchRecording: string;
  notFound: string;
  reconnecting: string;
  failed: string;
  unsupported: string;
  broadcastPaused: string;
  stalled: string;
  trouble: string;
  /** On a watch page that cannot reach the server (loaded from a mirror): the broadcast plays, the chat cannot. */
  chatUnavailable: string;
  dataSaver: string;
  qualityLabel: string;
  quality: Record<Quality, string>;
  modeVideo(rendition: string | null): string;
  modeAudio: Record<AudioOnlyReason, string>;
  linkLabel: string;
  link: Record<LinkQuality, string>;
  pathWebRtc: string;
  pathHls(reason: HlsReason | null): string;
  waitingForVideo: string;
  noVideoYet: string;
  tapToListen: string;
  posterAlt: string;
  replaysTitle: string;
  replaysEmpty: string;
  replaysProblem: string;
  replaysMore: string;
  duration(seconds: number): string;
  replayNotFound: string;
  replayBack: string;
  download(sizeHint: string): string;
  downloadNote: string;
  dateTime(iso: string): string;
  /** What went wrong, by its cause (client/src/lib/Problem.ts). */
  problems: ProblemMessages;
  studio: StudioMessages;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

function dateTimeIn(locale: string): (iso: string) => string {
  const formatter = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (iso) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : formatter.format(date);
  };
}

export const en: Messages = {
  languageName: 'English',
  brand: 'Jalsa',
  loading: 'Loading…',
  navEvents: 'Events',
  navReplays: 'Recordings',
  notFoundTitle: 'Page not found',
  notFoundLink: 'See the events on Jalsa',
  tryAgain: 'Try again',
  homeTitle: 'Live and upcoming events',
  homeLoading: 'Loading events…',
  homeEmpty: 'Nothing is live or scheduled right now.',
  homeProblem: 'Could not load the events.',
  live: 'Live',
  organizing: 'Organizing?',
  openStudio: 'Open the studio',
  moreEvents: 'More events',
  connectionLabel: 'Connection',
  // The English words are the states' own names, which tests also read.
  connection: {
    connecting: 'connecting',
    connected: 'connected',
    reconnecting: 'reconnecting',
    'waiting for the event to start': 'waiting for the event to start',
    ended: 'ended',
    cancelled: 'cancelled',
    'not found': 'not found',
    failed: 'failed',
  },
  notStarted: (when) =>
    `The event has not started yet.${when ? ` It is scheduled for ${en.dateTime(when)}.` : ''} This page starts playing when it goes live.`,
  ended: 'The event has ended.',
  cancelled: 'This event was cancelled by its organizer.',
  endedWatchRecording: 'Listen to the recording',
  notFound: 'There is no event at this address.',
  reconnecting: 'Connection lost, reconnecting…',
  failed: 'Could not connect to the event. Trying again shortly…',
  unsupported: 'This browser cannot play live streams.',
  broadcastPaused: 'The organizer’s connection dropped; reconnecting… The broadcast will resume by itself — stay on this page.',
  stalled: 'Waiting for the network…',
  trouble: 'The connection is struggling; still trying…',
  chatUnavailable: 'The chat is unavailable: this page cannot reach the event’s server, so it plays the broadcast from a mirror.',
  dataSaver: 'Audio only (uses far less data)',
  qualityLabel: 'Quality',
  quality: { auto: 'Auto', low: 'Low', medium: 'Medium', high: 'High' },
  modeVideo: (rendition) => (rendition ? `Video and sound (${rendition})` : 'Video and sound'),
  modeAudio: {
    'data saver': 'Sound only, as you chose',
    'slow connection': 'Sound only: your connection is too slow for video right now',
    'no video': 'Sound only: this event has no video',
  },
  linkLabel: 'Your connection',
  link: { unknown: 'measuring…', good: 'good', fair: 'fair', weak: 'weak', 'very weak': 'very weak' },
  pathWebRtc: 'Live, with the shortest delay',
  pathHls: (reason) =>
    reason === 'seats full'
      ? 'Live, a few seconds behind (the fast connection is full)'
      : reason === 'insecure page'
        ? 'Live, a few seconds behind: the fast connection needs a secure (https://) page, and this one was opened over plain http'
        : reason === 'sound first'
          ? 'Live, a few seconds behind (sound first on this slow connection)'
          : reason === 'server unreachable'
            ? 'Live, a few seconds behind, from a mirror (the event’s server cannot be reached)'
            : 'Live, a few seconds behind (more robust on this network)',
  waitingForVideo: 'Waiting for video…',
  noVideoYet: 'No video yet.',
  tapToListen: 'Tap to listen',
  posterAlt: 'A still picture of the stage',
  replaysTitle: 'Recordings',
  replaysEmpty: 'No recordings yet.',
  replaysProblem: 'Could not load the recordings.',
  replaysMore: 'Older recordings',
  duration: (seconds) => `Duration ${clock(seconds)}`,
  replayNotFound: 'There is no recording at this address.',
  replayBack: 'All recordings',
  download: (size) => `Download the sound only${size}`,
  downloadNote: 'The cheapest way to carry the speech to someone on a slow line: one small file to share.',
  dateTime: dateTimeIn('en'),
  problems: enProblems,
  studio: {
    cameraOn: 'Turn the camera on',
    cameraOff: 'Turn the camera off',
    cameraOffLive: 'The camera is off: viewers hear you and see your picture (or a slide with the event’s title).',
    cameraUnavailable: (reason) => `No camera (${reason}). You can go live with the microphone alone: viewers see your picture or a title slide.`,
    noMicrophone: (reason) =>
      `No microphone (${reason}). Going live needs at least a microphone; you can also go live with a prepared recording below.`,
    pictureHeading: 'Picture while the camera is off',
    pictureLabel: 'A picture (JPEG, PNG or WebP) shown instead of the camera; without one, a slide with the event’s title',
    pictureSave: 'Use this picture',
    pictureSaved: 'Saved: viewers see this picture whenever the camera is off.',
    mirrorsHeading: 'Mirrors',
    mirrorsHelp:
      'Other servers or web hosts that carry this event’s sound and video (see `npm run mirror`). When this server cannot be reached, viewers go on from a mirror.',
    mirrorsLabel: 'One mirror per line: a short name, a space, its address (https://…)',
    mirrorsOrderLabel: 'Order viewers use them in, comma-separated (“origin” is this server); put a blocked host last to move everyone off it',
    mirrorsSave: 'Save mirrors',
    mirrorsSaved: 'Saved: viewers follow this order within about 15 seconds.',
    mirrorsLineInvalid: (line) => `This line needs a name and an address: “${line}”`,
    atEndLabel: 'When the recording ends',
    atEnd: {
      end: 'End the event',
      loop: 'Play it again from the start',
      hold: 'Show “We will be right back” and wait for me',
    },
    fileState: ({ state, atEnd }) =>
      state === 'holding'
        ? 'The recording has ended: viewers see “We will be right back”. Use the camera, broadcast another recording, or end the event.'
        : atEnd === 'end'
          ? 'A recording is playing; the event ends when it does.'
          : atEnd === 'loop'
            ? 'A recording is playing, and plays again from the start whenever it ends.'
            : 'A recording is playing; when it ends, viewers see “We will be right back” until you act.',
    rtmp: {
      heading: 'Go live from OBS or another encoder (RTMP)',
      intro:
        'In OBS: Settings → Stream → Service “Custom…”, then paste the server and the stream key below and press “Start Streaming”. The event goes live when the first picture arrives, and the encoder takes over from this browser’s microphone and camera; if the encoder disconnects, the event stays live until you reconnect it or end the event.',
      serverUrlLabel: 'Server',
      streamKeyLabel: 'Stream key',
      showStreamKey: 'Show the stream key',
      streamKeyWarning: 'The stream key contains your organizer key: whoever has it can broadcast in this event. Do not show it on screen.',
      off: 'This server does not take RTMP (its operator turns it on with RTMP_ENABLED=true).',
      state: {
        waiting: 'No encoder connected.',
        receiving: 'Receiving from the encoder.',
        disconnected: 'Encoder disconnected: the event is still live. Reconnect the encoder, or end the event.',
      },
      useMicrophone: 'Go on with this browser’s microphone and camera',
    },
    status: { scheduled: 'upcoming', live: 'live', ended: 'ended', cancelled: 'cancelled' },
    // The English words are the states' own names, which tests also read.
    publish: { idle: 'idle', publishing: 'publishing', failed: 'failed', file: 'file', encoder: 'encoder' },
    recorder: { idle: 'waiting for media', running: 'recording', restarting: 'restarting', failed: 'failing', stopped: 'stopped' },
    studioTitle: 'Studio',
    instanceKeyHeading: 'Organizer studio',
    instanceKeyHelp: 'Paste this Jalsa instance’s organizer key. It is remembered on this device only.',
    instanceKeyRejected: 'The saved organizer key is no longer accepted.',
    eventsHeading: 'Events',
    heldEventsHeading: 'Events you hold a key for',
    heldEventsHelp: 'Their event keys are remembered on this device.',
    noEvents: 'No events yet.',
    watchPage: 'watch page',
    forgetKey: 'Forget the organizer key on this device',
    newEvent: 'New event',
    title: 'Title',
    startsAt: 'Starts at',
    startsAtOptional: 'Starts at (optional)',
    creating: 'Creating…',
    createEvent: 'Create event',
    eventReady: (title) => `“${title}” is ready`,
    saveKeyNow: 'Save this event key now: it is shown only once.',
    eventKeyExplained:
      'Whoever has it can open this event’s studio, go live and end the event. Jalsa keeps only a fingerprint of it and cannot show it again.',
    studioLink: 'Studio:',
    publicWatchLink: 'Public watch link:',
    copy: 'Copy',
    copied: 'Copied',
    keyLabel: 'Key',
    keyMalformed: 'That does not look like a key. Paste it exactly as it was given to you.',
    keyNotAccepted: 'This key was not accepted.',
    checking: 'Checking…',
    saveKey: 'Save key',
    eventKeyHeading: 'Event studio',
    eventKeyHelp: (slug) =>
      `Paste the event key shown when “${slug}” was created, or the instance organizer key. It is remembered on this device only.`,
    savedKeyRejected: 'The saved key is not accepted for this event.',
    keyRevokedProblem: 'The event key was revoked. Only the instance organizer key can run this event now.',
    noSuchEvent: 'No such event',
    noSuchEventText: (slug) => `There is no event called “${slug}”.`,
    backToStudio: 'Back to the studio',
    allEvents: '← All events',
    statusLabel: 'Status',
    publishingLabel: 'Publishing',
    watchLinkLabel: 'Watch link',
    recordingFailed: (message) => `Recording has failed${message ? `: ${message}` : ''}.`,
    reconnecting: 'Connection lost, reconnecting… Publishing resumes by itself.',
    goLive: 'Go live',
    endEvent: 'End event',
    confirmEnd: 'End this event for everyone? It cannot be restarted.',
    retryNow: 'Retry now',
    useCamera: 'Stop the recording and use the camera',
    broadcastFileHeading: 'Broadcast a recording instead',
    recordingFile: 'Recording (audio or video)',
    pictureFile: 'Picture to show with an audio recording (optional)',
    goLiveWithFile: 'Go live with this recording',
    cancelUpload: 'Cancel upload',
    uploaded: 'Uploaded. Checking the recording and going live…',
    uploading: (percent, size) => `Uploading… ${percent} % of ${size}`,
    liveFigures: 'Live figures',
    attendees: 'Attendees',
    attendeeCounts: (total, webrtc, hls, audio) => `${total} — ${webrtc} WebRTC, ${hls} HLS video, ${audio} audio only`,
    yourStream: (kind) => `Your ${kind}`,
    streamFigures: (kbps, lost, packets) => `${kbps}, ${lost} lost (${packets} packets in all)`,
    yourMedia: 'Your media',
    notReachingServer: 'not reaching the server',
    recorderLabel: 'Recorder (HLS)',
    chatLabel: 'Chat',
    perMinute: (count) => `${count} per minute`,
    webrtcSeats: 'WebRTC seats',
    seatsInUse: (used, capacity) => `${used} of ${capacity} in use`,
    keyHeading: 'Event key',
    rotateKey: 'Rotate key',
    revokeKey: 'Revoke key',
    confirmRotate:
      'Make a new event key? The current event key stops working at once, and studio tabs using it elsewhere are disconnected.',
    confirmRevoke:
      'Revoke the event key? It stops working at once, and afterwards only the instance organizer key can run this event.',
    newKeyHeading: 'New event key',
    newKeyExplained:
      'The old event key stopped working: studio tabs that used it elsewhere were disconnected and ask for a key again. This tab goes on working.',
    revokedNotice:
      'The event key was revoked: only the instance organizer key runs this event now. Rotate the key to give the event a key of its own again.',
    manageHeading: 'Title, time and cancelling',
    saveChanges: 'Save changes',
    saving: 'Saving…',
    saved: 'Saved.',
    cancelEvent: 'Cancel the event',
    confirmCancel: 'Cancel this event? Attendees are told it is cancelled, and it cannot go live afterwards.',
    deleteEvent: 'Delete the event',
    removeRecording: 'Also remove its recording',
    confirmDelete: 'Delete this event and its chat for good?',
    endBeforeDeleting: 'End the event before deleting it.',
    deleted: 'The event was deleted.',
    uplinkHeading: 'Your connection to the server',
    uplinkMeasuring: 'measuring…',
    uplinkFigures: (kbps, lost, roundTrip) => `sending ${kbps}, ${lost} lost, round trip ${roundTrip}`,
    uplinkLayers: (sending, total) =>
      sending === total ? `video: all ${total} qualities` : `video: ${sending} of ${total} qualities (your connection cannot carry more)`,
    uplinkCameraOff: 'sound only (camera off)',
    uplinkAudioOnlySoon:
      'Your connection is struggling: if it does not improve in a few seconds, the video stops so that your voice keeps going.',
    uplinkAudioOnly:
      'Video paused: your connection carries only your voice now. Viewers hear you and see your picture; the video comes back by itself when the connection allows.',
    whipHeading: 'Publish from OBS (WHIP)',
    whipHelp:
      'In OBS 30 or later: Settings → Stream, choose the service “WHIP” and paste the URL and the bearer token below. The event goes live when OBS starts streaming; stopping the stream leaves it live until you end it here.',
    whipUrlLabel: 'Server (WHIP URL)',
    whipTokenLabel: 'Bearer token',
    whipTokenHelp:
      'The bearer token is the event’s own key: keep it secret. Rotating or revoking the event key stops an encoder using it. One encoder at a time: stop the stream in OBS before publishing from another one.',
    whipNeedsEventKey:
      'This studio runs on the instance organizer key, which must not go into an encoder. Rotate the event key below and use the new key as the bearer token.',
    showToken: 'Show',
    hideToken: 'Hide',
  },
};

export const ur: Messages = {
  languageName: 'اردو',
  brand: 'جلسہ',
  loading: 'لوڈ ہو رہا ہے…',
  navEvents: 'تقریبات',
  navReplays: 'ریکارڈنگز',
  notFoundTitle: 'صفحہ نہیں ملا',
  notFoundLink: 'جلسہ پر تقریبات دیکھیں',
  tryAgain: 'دوبارہ کوشش کریں',
  homeTitle: 'براہِ راست اور آنے والی تقریبات',
  homeLoading: 'تقریبات لوڈ ہو رہی ہیں…',
  homeEmpty: 'اس وقت نہ کچھ براہِ راست ہے نہ طے شدہ۔',
  homeProblem: 'تقریبات لوڈ نہیں ہو سکیں۔',
  live: 'براہِ راست',
  organizing: 'منتظم ہیں؟',
  openStudio: 'اسٹوڈیو کھولیں',
  moreEvents: 'مزید تقریبات',
  connectionLabel: 'رابطہ',
  connection: {
    connecting: 'جڑ رہا ہے',
    connected: 'جڑا ہوا',
    reconnecting: 'دوبارہ جڑ رہا ہے',
    'waiting for the event to start': 'تقریب شروع ہونے کا انتظار',
    ended: 'ختم',
    cancelled: 'منسوخ',
    'not found': 'نہیں ملی',
    failed: 'ناکام',
  },
  notStarted: (when) =>
    `تقریب ابھی شروع نہیں ہوئی۔${when ? ` یہ ${ur.dateTime(when)} کو طے ہے۔` : ''} شروع ہوتے ہی یہ صفحہ چلنے لگے گا۔`,
  ended: 'تقریب ختم ہو چکی ہے۔',
  cancelled: 'یہ تقریب منتظم نے منسوخ کر دی ہے۔',
  endedWatchRecording: 'ریکارڈنگ سنیں',
  notFound: 'اس پتے پر کوئی تقریب نہیں۔',
  reconnecting: 'رابطہ ٹوٹ گیا، دوبارہ جوڑا جا رہا ہے…',
  failed: 'تقریب سے رابطہ نہیں ہو سکا۔ کچھ دیر میں دوبارہ کوشش ہوگی…',
  unsupported: 'یہ براؤزر براہِ راست نشریات نہیں چلا سکتا۔',
  broadcastPaused: 'منتظم کا رابطہ ٹوٹ گیا ہے، دوبارہ جوڑا جا رہا ہے… نشریات خود بخود دوبارہ شروع ہوں گی — اسی صفحے پر رہیں۔',
  stalled: 'نیٹ ورک کا انتظار…',
  trouble: 'رابطہ کمزور ہے؛ کوشش جاری ہے…',
  chatUnavailable: 'گفتگو دستیاب نہیں: یہ صفحہ تقریب کے سرور تک نہیں پہنچ پا رہا، اس لیے نشریات ایک متبادل سرور سے چل رہی ہیں۔',
  dataSaver: 'صرف آواز (بہت کم ڈیٹا)',
  qualityLabel: 'معیار',
  quality: { auto: 'خودکار', low: 'کم', medium: 'درمیانہ', high: 'اعلیٰ' },
  modeVideo: (rendition) => (rendition ? `ویڈیو اور آواز (${rendition})` : 'ویڈیو اور آواز'),
  modeAudio: {
    'data saver': 'صرف آواز، آپ کی پسند کے مطابق',
    'slow connection': 'صرف آواز: آپ کا کنکشن اس وقت ویڈیو کے لیے بہت سست ہے',
    'no video': 'صرف آواز: اس تقریب میں ویڈیو نہیں',
  },
  linkLabel: 'آپ کا کنکشن',
  link: { unknown: 'جانچ جاری…', good: 'اچھا', fair: 'ٹھیک', weak: 'کمزور', 'very weak': 'بہت کمزور' },
  pathWebRtc: 'براہِ راست، کم سے کم تاخیر کے ساتھ',
  pathHls: (reason) =>
    reason === 'seats full'
      ? 'براہِ راست، چند سیکنڈ پیچھے (تیز رابطہ بھرا ہوا ہے)'
      : reason === 'insecure page'
        ? 'براہِ راست، چند سیکنڈ پیچھے: تیز رابطے کے لیے محفوظ (https://) صفحہ چاہیے، اور یہ صفحہ سادہ http پر کھولا گیا ہے'
        : reason === 'sound first'
          ? 'براہِ راست، چند سیکنڈ پیچھے (اس سست رابطے پر پہلے آواز)'
          : reason === 'server unreachable'
            ? 'براہِ راست، چند سیکنڈ پیچھے، ایک متبادل سرور سے (تقریب کے سرور تک رسائی نہیں)'
            : 'براہِ راست، چند سیکنڈ پیچھے (اس نیٹ ورک پر زیادہ پائیدار)',
  waitingForVideo: 'ویڈیو کا انتظار…',
  noVideoYet: 'ابھی ویڈیو نہیں۔',
  tapToListen: 'سننے کے لیے ٹیپ کریں',
  posterAlt: 'اسٹیج کی ایک ساکن تصویر',
  replaysTitle: 'ریکارڈنگز',
  replaysEmpty: 'ابھی کوئی ریکارڈنگ نہیں۔',
  replaysProblem: 'ریکارڈنگز لوڈ نہیں ہو سکیں۔',
  replaysMore: 'پرانی ریکارڈنگز',
  duration: (seconds) => `دورانیہ ${clock(seconds)}`,
  replayNotFound: 'اس پتے پر کوئی ریکارڈنگ نہیں۔',
  replayBack: 'تمام ریکارڈنگز',
  download: (size) => `صرف آواز ڈاؤن لوڈ کریں${size}`,
  downloadNote: 'سست لائن پر کسی تک تقریر پہنچانے کا سب سے سستا طریقہ: شیئر کرنے کو ایک چھوٹی فائل۔',
  dateTime: dateTimeIn('ur-PK'),
  problems: urProblems,
  studio: {
    cameraOn: 'کیمرہ آن کریں',
    cameraOff: 'کیمرہ بند کریں',
    cameraOffLive: 'کیمرہ بند ہے: ناظرین آپ کو سن رہے ہیں اور آپ کی تصویر (یا تقریب کے عنوان والی سلائیڈ) دیکھ رہے ہیں۔',
    cameraUnavailable: (reason) => `کیمرہ دستیاب نہیں (${reason})۔ آپ صرف مائیکروفون کے ساتھ براہِ راست جا سکتے ہیں: ناظرین آپ کی تصویر یا عنوان کی سلائیڈ دیکھیں گے۔`,
    noMicrophone: (reason) =>
      `مائیکروفون دستیاب نہیں (${reason})۔ براہِ راست جانے کے لیے کم از کم مائیکروفون چاہیے؛ آپ نیچے پہلے سے تیار ریکارڈنگ کے ساتھ بھی براہِ راست جا سکتے ہیں۔`,
    pictureHeading: 'کیمرہ بند ہونے پر تصویر',
    pictureLabel: 'کیمرے کی جگہ دکھائی جانے والی تصویر (JPEG، PNG یا WebP)؛ تصویر نہ ہو تو تقریب کے عنوان والی سلائیڈ',
    pictureSave: 'یہ تصویر استعمال کریں',
    pictureSaved: 'محفوظ ہو گئی: کیمرہ بند ہونے پر ناظرین یہی تصویر دیکھیں گے۔',
    mirrorsHeading: 'متبادل سرور (مرر)',
    mirrorsHelp:
      'دوسرے سرور یا ویب ہوسٹ جو اس تقریب کی آواز اور ویڈیو رکھتے ہیں (دیکھیں `npm run mirror`)۔ جب یہ سرور نہ مل سکے تو ناظرین مرر سے سنتے رہتے ہیں۔',
    mirrorsLabel: 'ہر سطر پر ایک مرر: مختصر نام، ایک خالی جگہ، پھر اس کا پتہ (https://…)',
    mirrorsOrderLabel: 'ناظرین انہیں کس ترتیب سے استعمال کریں، کوما سے الگ (“origin” یہ سرور ہے)؛ بند ہوسٹ کو آخر میں رکھیں تاکہ سب اس سے ہٹ جائیں',
    mirrorsSave: 'مرر محفوظ کریں',
    mirrorsSaved: 'محفوظ ہو گئے: ناظرین تقریباً 15 سیکنڈ میں یہی ترتیب اپنا لیں گے۔',
    mirrorsLineInvalid: (line) => `اس سطر میں نام اور پتہ دونوں چاہییں: “${line}”`,
    atEndLabel: 'ریکارڈنگ ختم ہونے پر',
    atEnd: {
      end: 'تقریب ختم کر دیں',
      loop: 'شروع سے دوبارہ چلائیں',
      hold: '“ہم جلد واپس آئیں گے” دکھائیں اور میرا انتظار کریں',
    },
    fileState: ({ state, atEnd }) =>
      state === 'holding'
        ? 'ریکارڈنگ ختم ہو گئی: ناظرین “ہم جلد واپس آئیں گے” دیکھ رہے ہیں۔ کیمرہ استعمال کریں، کوئی اور ریکارڈنگ نشر کریں، یا تقریب ختم کریں۔'
        : atEnd === 'end'
          ? 'ریکارڈنگ چل رہی ہے؛ اس کے ختم ہوتے ہی تقریب ختم ہو جائے گی۔'
          : atEnd === 'loop'
            ? 'ریکارڈنگ چل رہی ہے، اور ختم ہونے پر شروع سے دوبارہ چلے گی۔'
            : 'ریکارڈنگ چل رہی ہے؛ ختم ہونے پر ناظرین “ہم جلد واپس آئیں گے” دیکھیں گے جب تک آپ کچھ نہ کریں۔',
    rtmp: {
      heading: 'OBS یا کسی اور انکوڈر سے براہِ راست جائیں (RTMP)',
      intro:
        'OBS میں: Settings ← Stream ← Service میں “Custom…” چنیں، پھر نیچے دیا گیا سرور اور اسٹریم کی چسپاں کریں اور “Start Streaming” دبائیں۔ پہلی تصویر پہنچتے ہی تقریب براہِ راست ہو جائے گی اور انکوڈر اس براؤزر کے مائیکروفون اور کیمرے کی جگہ لے لے گا؛ اگر انکوڈر کا رابطہ ٹوٹ جائے تو تقریب براہِ راست رہے گی جب تک آپ اسے دوبارہ نہ جوڑیں یا تقریب ختم نہ کریں۔',
      serverUrlLabel: 'سرور',
      streamKeyLabel: 'اسٹریم کی',
      showStreamKey: 'اسٹریم کی دکھائیں',
      streamKeyWarning: 'اسٹریم کی میں آپ کی منتظم کی شامل ہے: جس کے پاس یہ ہو وہ اس تقریب میں نشر کر سکتا ہے۔ اسے اسکرین پر نہ دکھائیں۔',
      off: 'یہ سرور RTMP نہیں لیتا (اس کا منتظمِ سرور اسے RTMP_ENABLED=true سے چالو کرتا ہے)۔',
      state: {
        waiting: 'کوئی انکوڈر جڑا ہوا نہیں۔',
        receiving: 'انکوڈر سے نشریات موصول ہو رہی ہیں۔',
        disconnected: 'انکوڈر کا رابطہ ٹوٹ گیا: تقریب ابھی براہِ راست ہے۔ انکوڈر دوبارہ جوڑیں، یا تقریب ختم کریں۔',
      },
      useMicrophone: 'اس براؤزر کے مائیکروفون اور کیمرے سے جاری رکھیں',
    },
    status: { scheduled: 'آنے والی', live: 'براہِ راست', ended: 'ختم', cancelled: 'منسوخ' },
    publish: { idle: 'رکا ہوا', publishing: 'نشر ہو رہا ہے', failed: 'ناکام', file: 'ریکارڈنگ', encoder: 'انکوڈر' },
    recorder: { idle: 'میڈیا کا انتظار', running: 'ریکارڈ ہو رہا ہے', restarting: 'دوبارہ شروع ہو رہا ہے', failed: 'ناکام', stopped: 'رک گیا' },
    studioTitle: 'اسٹوڈیو',
    instanceKeyHeading: 'منتظم کا اسٹوڈیو',
    instanceKeyHelp: 'اس جلسہ سرور کی منتظم کلید یہاں چسپاں کریں۔ یہ صرف اسی آلے پر یاد رکھی جاتی ہے۔',
    instanceKeyRejected: 'محفوظ کی گئی منتظم کلید اب قبول نہیں۔',
    eventsHeading: 'تقریبات',
    heldEventsHeading: 'تقریبات جن کی کلید آپ کے پاس ہے',
    heldEventsHelp: 'ان کی کلیدیں اسی آلے پر یاد رکھی گئی ہیں۔',
    noEvents: 'ابھی کوئی تقریب نہیں۔',
    watchPage: 'دیکھنے کا صفحہ',
    forgetKey: 'اس آلے سے منتظم کلید بھلا دیں',
    newEvent: 'نئی تقریب',
    title: 'عنوان',
    startsAt: 'شروع ہونے کا وقت',
    startsAtOptional: 'شروع ہونے کا وقت (اختیاری)',
    creating: 'بن رہی ہے…',
    createEvent: 'تقریب بنائیں',
    eventReady: (title) => `“${title}” تیار ہے`,
    saveKeyNow: 'یہ کلید ابھی محفوظ کر لیں: یہ صرف ایک بار دکھائی جاتی ہے۔',
    eventKeyExplained:
      'جس کے پاس یہ ہو وہ اس تقریب کا اسٹوڈیو کھول سکتا ہے، نشریات شروع اور تقریب ختم کر سکتا ہے۔ جلسہ اس کا صرف نشان رکھتا ہے اور اسے دوبارہ نہیں دکھا سکتا۔',
    studioLink: 'اسٹوڈیو:',
    publicWatchLink: 'دیکھنے کا عام لنک:',
    copy: 'کاپی کریں',
    copied: 'کاپی ہو گئی',
    keyLabel: 'کلید',
    keyMalformed: 'یہ کلید نہیں لگتی۔ اسے بالکل ویسے ہی چسپاں کریں جیسے آپ کو دی گئی تھی۔',
    keyNotAccepted: 'یہ کلید قبول نہیں ہوئی۔',
    checking: 'جانچ ہو رہی ہے…',
    saveKey: 'کلید محفوظ کریں',
    eventKeyHeading: 'تقریب کا اسٹوڈیو',
    eventKeyHelp: (slug) =>
      `“${slug}” بناتے وقت دکھائی گئی تقریب کی کلید، یا سرور کی منتظم کلید چسپاں کریں۔ یہ صرف اسی آلے پر یاد رکھی جاتی ہے۔`,
    savedKeyRejected: 'محفوظ کی گئی کلید اس تقریب کے لیے قبول نہیں۔',
    keyRevokedProblem: 'تقریب کی کلید منسوخ کر دی گئی۔ اب صرف سرور کی منتظم کلید یہ تقریب چلا سکتی ہے۔',
    noSuchEvent: 'ایسی کوئی تقریب نہیں',
    noSuchEventText: (slug) => `“${slug}” نام کی کوئی تقریب نہیں۔`,
    backToStudio: 'اسٹوڈیو پر واپس',
    allEvents: '→ تمام تقریبات',
    statusLabel: 'حالت',
    publishingLabel: 'نشریات',
    watchLinkLabel: 'دیکھنے کا لنک',
    // The recorder's detail is ffmpeg's, in English: it is for an English reader only.
    recordingFailed: () => 'ریکارڈنگ ناکام ہو گئی۔',
    reconnecting: 'رابطہ ٹوٹ گیا، دوبارہ جوڑا جا رہا ہے… نشریات خود بخود جاری ہو جائیں گی۔',
    goLive: 'نشریات شروع کریں',
    endEvent: 'تقریب ختم کریں',
    confirmEnd: 'سب کے لیے تقریب ختم کریں؟ یہ دوبارہ شروع نہیں ہو سکے گی۔',
    retryNow: 'ابھی دوبارہ کوشش کریں',
    useCamera: 'ریکارڈنگ روک کر کیمرا استعمال کریں',
    broadcastFileHeading: 'اس کی بجائے ریکارڈنگ نشر کریں',
    recordingFile: 'ریکارڈنگ (آڈیو یا ویڈیو)',
    pictureFile: 'آڈیو ریکارڈنگ کے ساتھ دکھانے کو تصویر (اختیاری)',
    goLiveWithFile: 'یہ ریکارڈنگ نشر کریں',
    cancelUpload: 'اپ لوڈ روکیں',
    uploaded: 'اپ لوڈ ہو گئی۔ ریکارڈنگ کی جانچ اور نشریات شروع ہو رہی ہیں…',
    uploading: (percent, size) => `اپ لوڈ ہو رہی ہے… ${size} میں سے ${percent} %`,
    liveFigures: 'براہِ راست اعداد',
    attendees: 'حاضرین',
    attendeeCounts: (total, webrtc, hls, audio) => `${total} — ${webrtc} WebRTC، ${hls} HLS ویڈیو، ${audio} صرف آواز`,
    yourStream: (kind) => (kind === 'audio' ? 'آپ کی آواز' : 'آپ کی ویڈیو'),
    streamFigures: (kbps, lost, packets) => `${kbps}، ${lost} ضائع (کل ${packets} پیکٹ)`,
    yourMedia: 'آپ کا میڈیا',
    notReachingServer: 'سرور تک نہیں پہنچ رہا',
    recorderLabel: 'ریکارڈر (HLS)',
    chatLabel: 'گفتگو',
    perMinute: (count) => `${count} فی منٹ`,
    webrtcSeats: 'WebRTC نشستیں',
    seatsInUse: (used, capacity) => `${capacity} میں سے ${used} استعمال میں`,
    keyHeading: 'تقریب کی کلید',
    rotateKey: 'نئی کلید بنائیں',
    revokeKey: 'کلید منسوخ کریں',
    confirmRotate: 'نئی کلید بنائیں؟ موجودہ کلید فوراً کام کرنا چھوڑ دے گی، اور اسے استعمال کرنے والے دوسرے اسٹوڈیو ٹیب منقطع ہو جائیں گے۔',
    confirmRevoke: 'کلید منسوخ کریں؟ یہ فوراً کام کرنا چھوڑ دے گی، اور اس کے بعد صرف سرور کی منتظم کلید یہ تقریب چلا سکے گی۔',
    newKeyHeading: 'تقریب کی نئی کلید',
    newKeyExplained:
      'پرانی کلید کام کرنا چھوڑ چکی ہے: اسے استعمال کرنے والے دوسرے ٹیب منقطع ہو کر دوبارہ کلید مانگتے ہیں۔ یہ ٹیب کام کرتا رہے گا۔',
    revokedNotice: 'تقریب کی کلید منسوخ ہو گئی: اب صرف سرور کی منتظم کلید یہ تقریب چلاتی ہے۔ تقریب کو اپنی کلید دینے کے لیے نئی کلید بنائیں۔',
    manageHeading: 'عنوان، وقت اور منسوخی',
    saveChanges: 'تبدیلیاں محفوظ کریں',
    saving: 'محفوظ ہو رہا ہے…',
    saved: 'محفوظ ہو گیا۔',
    cancelEvent: 'تقریب منسوخ کریں',
    confirmCancel: 'یہ تقریب منسوخ کریں؟ حاضرین کو بتا دیا جائے گا، اور اس کے بعد یہ نشر نہیں ہو سکے گی۔',
    deleteEvent: 'تقریب مٹا دیں',
    removeRecording: 'اس کی ریکارڈنگ بھی مٹا دیں',
    confirmDelete: 'یہ تقریب اور اس کی گفتگو ہمیشہ کے لیے مٹا دیں؟',
    endBeforeDeleting: 'مٹانے سے پہلے تقریب ختم کریں۔',
    deleted: 'تقریب مٹا دی گئی۔',
    uplinkHeading: 'سرور سے آپ کا رابطہ',
    uplinkMeasuring: 'جانچ جاری…',
    uplinkFigures: (kbps, lost, roundTrip) => `${kbps} بھیجا جا رہا ہے، ${lost} ضائع، آنے جانے کا وقت ${roundTrip}`,
    uplinkLayers: (sending, total) =>
      sending === total ? `ویڈیو: تمام ${total} معیار` : `ویڈیو: ${total} میں سے ${sending} معیار (آپ کا رابطہ اس سے زیادہ نہیں لے جا سکتا)`,
    uplinkCameraOff: 'صرف آواز (کیمرہ بند)',
    uplinkAudioOnlySoon: 'آپ کا رابطہ کمزور ہے: اگر چند سیکنڈ میں بہتر نہ ہوا تو ویڈیو رک جائے گی تاکہ آپ کی آواز جاری رہے۔',
    uplinkAudioOnly:
      'ویڈیو رکی ہوئی ہے: آپ کا رابطہ اس وقت صرف آپ کی آواز لے جا سکتا ہے۔ ناظرین آپ کو سن رہے ہیں اور آپ کی تصویر دیکھ رہے ہیں؛ رابطہ بہتر ہوتے ہی ویڈیو خود واپس آ جائے گی۔',
    whipHeading: 'OBS سے نشر کریں (WHIP)',
    whipHelp:
      'OBS 30 یا اس کے بعد کے ورژن میں: Settings → Stream میں سروس “WHIP” چنیں اور نیچے دیا گیا URL اور بیئرر ٹوکن چسپاں کریں۔ OBS کے نشر شروع کرتے ہی تقریب براہِ راست ہو جاتی ہے؛ نشر روکنے پر تقریب براہِ راست رہتی ہے جب تک آپ اسے یہاں ختم نہ کریں۔',
    whipUrlLabel: 'سرور (WHIP URL)',
    whipTokenLabel: 'بیئرر ٹوکن',
    whipTokenHelp:
      'بیئرر ٹوکن تقریب کی اپنی کلید ہے: اسے راز رکھیں۔ تقریب کی کلید بدلنے یا منسوخ کرنے سے اسے استعمال کرنے والا انکوڈر رک جاتا ہے۔ ایک وقت میں ایک انکوڈر: کسی دوسرے سے نشر کرنے سے پہلے OBS میں نشر روکیں۔',
    whipNeedsEventKey:
      'یہ اسٹوڈیو سرور کی منتظم کلید پر چل رہا ہے، جو انکوڈر میں نہیں ڈالنی چاہیے۔ نیچے تقریب کی نئی کلید بنائیں اور اسی کو بیئرر ٹوکن کے طور پر استعمال کریں۔',
    showToken: 'دکھائیں',
    hideToken: 'چھپائیں',
  },
};
