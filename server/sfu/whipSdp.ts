import crypto from 'node:crypto';
import { isSameProfile } from 'h264-profile-level-id';
import { getSupportedRtpCapabilities, type types } from 'mediasoup';
import * as sdpTransform from 'sdp-transform';
import type { MediaAttributes, SessionDescription } from 'sdp-transform';
import { OPUS_MAX_AVERAGE_BITRATE } from '../../shared/media';
import type { MediaKind } from '../../shared/signalling';
import { BadRequestError } from '../errors';
import { mediaCodecs } from './mediaCodecs';

/**
 * The WHIP offer/answer, as pure functions: an encoder's SDP offer turned into what mediasoup needs (the
 * remote DTLS parameters, one producer's RTP parameters per m-section), and the answer built from the
 * transport mediasoup made. mediasoup is ICE-lite and answers from fixed candidates, so there is no
 * trickle and no ICE restart here: an encoder that loses the connection POSTs again.
 */

/** One m-section of the offer, as a producer will receive it. */
export interface WhipTrack {
  mid: string;
  kind: MediaKind;
  rtpParameters: types.RtpParameters;
  /** What the answer repeats of the offer for this m-section. */
  answer: {
    protocol: string;
    rtcpRsize: boolean;
    headerExtensions: { id: number; uri: string }[];
    /** The chosen codec, then its retransmission codec if any, with the parameters the answer states. */
    codecs: types.RtpCodecParameters[];
    rids: string[];
  };
}

export interface WhipOffer {
  tracks: WhipTrack[];
  /** The encoder's DTLS role and certificate fingerprint, for `transport.connect()`. */
  dtlsParameters: types.DtlsParameters;
  /** Whether the offer bundles its m-sections (required when it has more than one). */
  bundle: boolean;
}

/** What the answer tells the encoder about the transport mediasoup made for it. */
export interface WhipTransportInfo {
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

/** Simulcast layers an encoder may send; the studio sends three. */
const MAX_SIMULCAST_LAYERS = 4;

const FINGERPRINT_ALGORITHMS = new Set<string>(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);

/**
 * The answer asks the encoder for speech as the studio sends it: mono Opus with in-band FEC (survives
 * lossy links) and DTX (silence costs nearly nothing), capped at a voice's bitrate.
 */
const OPUS_ANSWER_PARAMETERS = {
  minptime: 10,
  useinbandfec: 1,
  usedtx: 1,
  stereo: 0,
  maxaveragebitrate: OPUS_MAX_AVERAGE_BITRATE,
} as const;

const supported = getSupportedRtpCapabilities();

/**
 * Reads an encoder's WHIP offer. Checks everything mediasoup will rely on, so that a malformed or
 * unusable offer is refused (with the reason) before any transport exists.
 * @throws BadRequestError naming what is wrong with the offer.
 */
export function readWhipOffer(sdp: string): WhipOffer {
  let session: SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch {
    throw offerError('the SDP offer cannot be parsed');
  }
  if (session.version !== 0 || !Array.isArray(session.media)) throw offerError('the SDP offer cannot be parsed');
  if (session.media.length === 0) throw offerError('the offer has no audio or video to publish');
  if (session.media.length > 2) throw offerError('publish one audio and at most one video track (the offer has more m-sections)');
  const tracks = session.media.map((media) => readTrack(media));
  for (const kind of ['audio', 'video'] as const) {
    if (tracks.filter((t) => t.kind === kind).length > 1) throw offerError(`the offer has more than one ${kind} track`);
  }
  if (new Set(tracks.map((t) => t.mid)).size !== tracks.length) throw offerError('two m-sections share a mid');
  const bundle = isBundled(session, tracks);
  if (tracks.length > 1 && !bundle) throw offerError('the offer must bundle its m-sections (a=group:BUNDLE), as WHIP requires');
  return { tracks, dtlsParameters: readDtls(session), bundle };
}

/** The SDP answer for an offer read by {@link readWhipOffer}, on the transport mediasoup made for it. */
export function writeWhipAnswer(offer: WhipOffer, transport: WhipTransportInfo): string {
  // mediasoup takes the role the encoder does not: it was told the encoder's role in connect().
  const setup = offer.dtlsParameters.role === 'server' ? 'active' : 'passive';
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? transport.dtlsParameters.fingerprints[0];
  if (!fingerprint) throw new Error('the transport has no DTLS fingerprint');
  const answer: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: crypto.randomInt(1, 2 ** 47), sessionVersion: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    media: offer.tracks.map((track) => ({
      type: track.kind,
      port: 9,
      protocol: track.answer.protocol,
      payloads: track.answer.codecs.map((c) => c.payloadType).join(' '),
      connection: { version: 4, ip: '0.0.0.0' },
      mid: track.mid,
      direction: 'recvonly',
      iceUfrag: transport.iceParameters.usernameFragment,
      icePwd: transport.iceParameters.password,
      fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
      setup,
      candidates: transport.iceCandidates.map((candidate) => ({
        foundation: candidate.foundation,
        component: 1,
        transport: candidate.protocol,
        priority: candidate.priority,
        ip: candidate.address,
        port: candidate.port,
        type: candidate.type,
        ...(candidate.tcpType ? { tcptype: candidate.tcpType } : {}),
      })),
      endOfCandidates: 'end-of-candidates',
      rtcpMux: 'rtcp-mux',
      ...(track.answer.rtcpRsize ? { rtcpRsize: 'rtcp-rsize' } : {}),
      ext: track.answer.headerExtensions.map(({ id, uri }) => ({ value: id, uri })),
      rtp: track.answer.codecs.map((codec) => ({
        payload: codec.payloadType,
        codec: codec.mimeType.split('/')[1]!,
        rate: codec.clockRate,
        ...(codec.channels && codec.channels > 1 ? { encoding: codec.channels } : {}),
      })),
      fmtp: track.answer.codecs
        .filter((codec) => Object.keys(codec.parameters ?? {}).length > 0)
        .map((codec) => ({ payload: codec.payloadType, config: formatParameters(codec.parameters ?? {}) })),
      rtcpFb: track.answer.codecs.flatMap((codec) =>
        (codec.rtcpFeedback ?? []).map((fb) => ({ payload: codec.payloadType, type: fb.type, ...(fb.parameter ? { subtype: fb.parameter } : {}) })),
      ),
      ...(track.answer.rids.length > 0
        ? {
            rids: track.answer.rids.map((id) => ({ id, direction: 'recv' })),
            simulcast: { dir1: 'recv', list1: track.answer.rids.join(';') },
          }
        : {}),
    })),
  };
  if (offer.bundle) answer.groups = [{ type: 'BUNDLE', mids: offer.tracks.map((t) => t.mid).join(' ') }];
  return sdpTransform.write(answer);
}

function readTrack(media: MediaAttributes): WhipTrack {
  const kind = media.type;
  if (kind !== 'audio' && kind !== 'video') throw offerError(`an m-section of type "${String(kind)}" cannot be published (only audio and video)`);
  if (media.mid === undefined || String(media.mid) === '') throw offerError(`the ${kind} m-section has no a=mid`);
  const mid = String(media.mid);
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(mid)) throw offerError(`the ${kind} m-section's mid is not a short token`);
  if (media.port === 0) throw offerError(`the ${kind} m-section is disabled (port 0)`);
  if (typeof media.protocol !== 'string' || !/^(UDP\/TLS\/RTP\/SAVPF|RTP\/SAVPF)$/.test(media.protocol)) {
    throw offerError(`the ${kind} m-section is not DTLS-SRTP with feedback (UDP/TLS/RTP/SAVPF)`);
  }
  const direction = media.direction ?? 'sendrecv';
  if (direction !== 'sendonly' && direction !== 'sendrecv') throw offerError(`the ${kind} m-section does not send (a=${direction})`);
  if (!media.rtcpMux) throw offerError(`the ${kind} m-section must multiplex RTCP (a=rtcp-mux)`);

  const codec = chooseCodec(kind, media);
  const rtx = kind === 'video' ? retransmissionFor(codec.payloadType, media) : undefined;
  const answerCodecs = rtx ? [codec, rtx] : [codec];
  const headerExtensions = (media.ext ?? [])
    .filter((ext) => Number.isInteger(ext.value) && ext.value >= 1 && ext.value <= 255)
    .filter((ext) => supported.headerExtensions?.some((h) => h.kind === kind && h.uri === ext.uri))
    .map((ext) => ({ id: ext.value, uri: ext.uri }));
  const rids = readRids(kind, media);
  const ssrc = rids.length > 0 ? undefined : primarySsrc(media);
  const encodings: types.RtpEncodingParameters[] =
    rids.length > 0
      ? rids.map((rid) => ({ rid }))
      : [{ ...(ssrc !== undefined ? { ssrc } : {}), ...(ssrc !== undefined && rtx ? rtxSsrc(media, ssrc) : {}) }];
  const cname = media.ssrcs?.find((s) => s.attribute === 'cname')?.value;
  return {
    mid,
    kind,
    rtpParameters: {
      mid,
      codecs: answerCodecs,
      headerExtensions: headerExtensions.map(({ id, uri }) => ({ id, uri: uri as types.RtpHeaderExtensionUri })),
      encodings,
      rtcp: { ...(cname ? { cname } : {}), reducedSize: Boolean(media.rtcpRsize) },
    },
    answer: { protocol: media.protocol, rtcpRsize: Boolean(media.rtcpRsize), headerExtensions, codecs: answerCodecs, rids },
  };
}

/**
 * The encoder's first codec (its preference) among ours: Opus for audio; VP8, or H.264 in packetization
 * mode 1 with a profile we route, for video.
 */
function chooseCodec(kind: MediaKind, media: MediaAttributes): types.RtpCodecParameters {
  for (const rtp of media.rtp ?? []) {
    const mimeType = `${kind}/${rtp.codec}`;
    const clockRate = rtp.rate ?? 0;
    const parameters = offeredParameters(media, rtp.payload);
    const ours = mediaCodecs.find(
      (c) =>
        c.mimeType.toLowerCase() === mimeType.toLowerCase() &&
        c.clockRate === clockRate &&
        (kind !== 'audio' || (rtp.encoding ?? 1) === c.channels) &&
        (c.mimeType !== 'video/H264' ||
          (Number(parameters['packetization-mode'] ?? 0) === 1 && isSameProfile(c.parameters, { 'profile-level-id': '42001f', ...parameters }))),
    );
    if (!ours || !Number.isInteger(rtp.payload) || rtp.payload < 0 || rtp.payload > 127) continue;
    const rtcpFeedback = (media.rtcpFb ?? [])
      .filter((fb) => fb.payload === rtp.payload || fb.payload === '*')
      .filter((fb) => supportedFeedback(ours.mimeType).some((s) => s.type === fb.type && (s.parameter ?? '') === (fb.subtype ?? '')))
      .map((fb) => ({ type: fb.type, ...(fb.subtype ? { parameter: fb.subtype } : {}) }));
    return {
      mimeType: ours.mimeType,
      payloadType: rtp.payload,
      clockRate,
      ...(ours.channels ? { channels: ours.channels } : {}),
      parameters: ours.mimeType === 'audio/opus' ? { ...parameters, ...OPUS_ANSWER_PARAMETERS } : parameters,
      rtcpFeedback,
    };
  }
  const offered = [...new Set((media.rtp ?? []).map((r) => r.codec))].join(', ') || 'none';
  const wanted = kind === 'audio' ? 'Opus' : 'VP8 or H.264 (constrained baseline, packetization-mode=1)';
  throw offerError(`no ${kind} codec this server takes: it takes ${wanted}; the offer has ${offered}`);
}

function retransmissionFor(payloadType: number, media: MediaAttributes): types.RtpCodecParameters | undefined {
  const rtx = (media.rtp ?? []).find(
    (rtp) => rtp.codec.toLowerCase() === 'rtx' && Number(offeredParameters(media, rtp.payload).apt) === payloadType,
  );
  if (!rtx || !Number.isInteger(rtx.payload)) return undefined;
  return { mimeType: 'video/rtx', payloadType: rtx.payload, clockRate: rtx.rate ?? 90_000, parameters: { apt: payloadType }, rtcpFeedback: [] };
}

function supportedFeedback(mimeType: string): types.RtcpFeedback[] {
  return supported.codecs?.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase())?.rtcpFeedback ?? [];
}

function offeredParameters(media: MediaAttributes, payloadType: number): Record<string, string | number> {
  const fmtp = (media.fmtp ?? []).find((f) => f.payload === payloadType);
  return fmtp ? sdpTransform.parseParams(fmtp.config) : {};
}

/** Simulcast as the encoder offers it: the first choice of each layer, lowest first as listed. */
function readRids(kind: MediaKind, media: MediaAttributes): string[] {
  if (!media.simulcast) return [];
  if (kind !== 'video') throw offerError('only video can be sent in simulcast');
  const { dir1, list1, dir2, list2 } = media.simulcast;
  const list = dir1 === 'send' ? list1 : dir2 === 'send' ? list2 : undefined;
  if (!list) throw offerError('the offer\'s a=simulcast sends nothing');
  const rids = String(list)
    .split(';')
    .map((layer) => layer.split(',')[0]!.replace(/^~/, ''));
  const declared = new Set((media.rids ?? []).filter((r) => r.direction === 'send').map((r) => String(r.id)));
  if (rids.length > MAX_SIMULCAST_LAYERS) throw offerError(`at most ${MAX_SIMULCAST_LAYERS} simulcast layers`);
  for (const rid of rids) {
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(rid) || !declared.has(rid)) throw offerError(`simulcast layer "${rid}" has no a=rid line`);
  }
  if (new Set(rids).size !== rids.length) throw offerError('two simulcast layers share a rid');
  return rids;
}

/** The media SSRC: the first of a FID group (the other is its retransmission), else the first one listed. */
function primarySsrc(media: MediaAttributes): number | undefined {
  const fid = media.ssrcGroups?.find((g) => g.semantics === 'FID');
  const id = fid ? String(fid.ssrcs).split(' ')[0] : media.ssrcs?.[0]?.id;
  return validSsrc(id);
}

function rtxSsrc(media: MediaAttributes, ssrc: number): Pick<types.RtpEncodingParameters, 'rtx'> {
  const group = media.ssrcGroups?.find((g) => g.semantics === 'FID' && validSsrc(String(g.ssrcs).split(' ')[0]) === ssrc);
  const rtx = validSsrc(group ? String(group.ssrcs).split(' ')[1] : undefined);
  return rtx !== undefined ? { rtx: { ssrc: rtx } } : {};
}

function validSsrc(value: string | number | undefined): number | undefined {
  const ssrc = Number(value);
  return Number.isInteger(ssrc) && ssrc > 0 && ssrc <= 0xffff_ffff ? ssrc : undefined;
}

function isBundled(session: SessionDescription, tracks: WhipTrack[]): boolean {
  const group = session.groups?.find((g) => g.type === 'BUNDLE');
  if (!group) return false;
  const mids = new Set(String(group.mids).split(' '));
  return tracks.every((t) => mids.has(t.mid));
}

/**
 * The encoder's fingerprint (session-level, else the first m-section's) and role: an encoder that offers
 * `actpass` or `active` is the DTLS client, one that insists on `passive` the server.
 */
function readDtls(session: SessionDescription): types.DtlsParameters {
  const first = session.media[0];
  const fingerprint = session.fingerprint ?? first?.fingerprint;
  if (!fingerprint) throw offerError('the offer has no DTLS fingerprint (a=fingerprint)');
  const algorithm = String(fingerprint.type).toLowerCase();
  if (!FINGERPRINT_ALGORITHMS.has(algorithm) || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/.test(String(fingerprint.hash))) {
    throw offerError('the offer\'s DTLS fingerprint is malformed');
  }
  const setup = first?.setup ?? session.setup ?? 'actpass';
  if (setup !== 'actpass' && setup !== 'active' && setup !== 'passive') throw offerError(`a=setup:${setup} is not a DTLS role`);
  return {
    role: setup === 'passive' ? 'server' : 'client',
    fingerprints: [{ algorithm: algorithm as types.FingerprintAlgorithm, value: String(fingerprint.hash).toUpperCase() }],
  };
}

function formatParameters(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(';');
}

function offerError(reason: string): BadRequestError {
  return new BadRequestError(`WHIP offer refused: ${reason}`);
}
