import * as sdpTransform from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../server/errors';
import { readWhipOffer, writeWhipAnswer, type WhipTransportInfo } from '../../../../server/sfu/whipSdp';
import { whipOffer } from '../../../helpers/whipOffer';

const transport: WhipTransportInfo = {
  iceParameters: { usernameFragment: 'srvufrag', password: 'srvpassword0123456789', iceLite: true },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, ip: '203.0.113.7', address: '203.0.113.7', protocol: 'udp', port: 40001, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, ip: '203.0.113.7', address: '203.0.113.7', protocol: 'tcp', port: 40002, type: 'host', tcpType: 'passive' },
  ],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-256', value: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99' },
    ],
  },
};

function refusal(sdp: string): string {
  try {
    readWhipOffer(sdp);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as Error).message;
  }
  throw new Error('the offer was accepted');
}

describe('readWhipOffer', () => {
  it('takes Opus and VP8 with its retransmission codec, the SSRCs and the encoder as DTLS client', () => {
    const offer = readWhipOffer(whipOffer());
    expect(offer.bundle).toBe(true);
    expect(offer.dtlsParameters.role).toBe('client');
    const [audio, video] = offer.tracks;
    expect(audio!.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([['audio/opus', 111]]);
    // Speech as the studio sends it: mono, FEC, DTX, a voice's bitrate.
    expect(audio!.rtpParameters.codecs[0]!.parameters).toMatchObject({ useinbandfec: 1, usedtx: 1, stereo: 0 });
    expect(video!.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([['video/VP8', 96], ['video/rtx', 97]]);
    expect(video!.rtpParameters.encodings).toEqual([{ ssrc: 2001, rtx: { ssrc: 2002 } }]);
    expect(video!.rtpParameters.rtcp).toEqual({ cname: 'whipencoder', reducedSize: true });
    expect(video!.rtpParameters.codecs[0]!.rtcpFeedback).toContainEqual({ type: 'nack', parameter: 'pli' });
  });

  it('reads simulcast layers as rid encodings, lowest first as offered', () => {
    const video = readWhipOffer(whipOffer({ simulcast: true })).tracks[1]!;
    expect(video.rtpParameters.encodings).toEqual([{ rid: 'q' }, { rid: 'h' }, { rid: 'f' }]);
    expect(video.rtpParameters.headerExtensions?.map((h) => h.uri)).toContain('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id');
  });

  it('takes H.264 constrained baseline in packetization mode 1, as OBS offers it', () => {
    const video = readWhipOffer(whipOffer({ video: 'H264' })).tracks[1]!;
    expect(video.rtpParameters.codecs).toHaveLength(1);
    expect(video.rtpParameters.codecs[0]).toMatchObject({ mimeType: 'video/H264', payloadType: 102 });
  });

  it('takes sound alone', () => {
    expect(readWhipOffer(whipOffer({ video: false })).tracks.map((t) => t.kind)).toEqual(['audio']);
  });

  it('refuses offers it cannot use, saying why', () => {
    expect(refusal('v=0\r\nthis is not sdp\r\n')).toMatch(/no audio or video|cannot be parsed/);
    expect(refusal(whipOffer().replace(/a=fingerprint:.*\r\n/g, ''))).toMatch(/fingerprint/);
    expect(refusal(whipOffer().replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0'))).toMatch(/bundle/);
    expect(refusal(whipOffer().replaceAll('a=sendonly', 'a=recvonly'))).toMatch(/does not send/);
    expect(refusal(whipOffer().replace(/a=rtpmap:111 opus\/48000\/2\r\n/, ''))).toMatch(/no audio codec/);
    expect(refusal(whipOffer().replace('a=mid:1', 'a=mid:0'))).toMatch(/share a mid/);
    const threeSections = whipOffer() + whipOffer().slice(whipOffer().indexOf('m=video')).replace('a=mid:1', 'a=mid:2');
    expect(refusal(threeSections)).toMatch(/at most one video/);
    expect(refusal(whipOffer({ simulcast: true }).replace('a=rid:f send\r\n', ''))).toMatch(/"f" has no a=rid/);
  });
});

describe('writeWhipAnswer', () => {
  it('answers ICE-lite, receive-only, bundled, with the transport’s candidates and fingerprint and the chosen codecs only', () => {
    const offer = readWhipOffer(whipOffer({ simulcast: true }));
    const answer = sdpTransform.parse(writeWhipAnswer(offer, transport));
    expect(answer.icelite).toBe('ice-lite');
    expect(answer.groups).toEqual([{ type: 'BUNDLE', mids: '0 1' }]);
    const [audio, video] = answer.media;
    for (const media of [audio!, video!]) {
      expect(media.direction).toBe('recvonly');
      expect(media.setup).toBe('passive');
      expect(media.iceUfrag).toBe('srvufrag');
      expect(media.fingerprint?.hash).toBe(transport.dtlsParameters.fingerprints[0]!.value);
      expect(media.candidates?.map((c) => [c.transport, c.ip, c.port])).toEqual([['udp', '203.0.113.7', 40001], ['tcp', '203.0.113.7', 40002]]);
    }
    expect(audio!.rtp.map((r) => r.payload)).toEqual([111]);
    expect(audio!.fmtp[0]!.config).toContain('usedtx=1');
    expect(video!.rtp.map((r) => r.payload)).toEqual([96, 97]);
    expect(video!.simulcast).toMatchObject({ dir1: 'recv', list1: 'q;h;f' });
  });

  it('takes the DTLS client role when the encoder insists on being the server', () => {
    const offer = readWhipOffer(whipOffer().replaceAll('a=setup:actpass', 'a=setup:passive'));
    expect(offer.dtlsParameters.role).toBe('server');
    expect(sdpTransform.parse(writeWhipAnswer(offer, transport)).media[0]!.setup).toBe('active');
  });
});
