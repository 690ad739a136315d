/**
 * SDP offers as WHIP encoders send them, for tests that need no browser: the shape of Chromium's (audio
 * then video, sendonly, bundled, DTLS actpass) and of OBS's (H.264 without RTX). `video: false` leaves the
 * video m-section out; `simulcast` sends three rids instead of SSRCs.
 */
export interface OfferOptions {
  video?: false | 'VP8' | 'H264';
  simulcast?: boolean;
}

const FINGERPRINT =
  'sha-256 3C:4A:AA:2B:7E:01:8D:9C:5F:61:20:0D:3B:E9:C4:72:9A:11:6F:8E:55:D0:C3:24:B7:0E:19:AF:42:66:71:5C';

/** The same ICE and DTLS lines in every m-section, as a bundling browser writes them. */
const TRANSPORT = [
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Vd3e',
  'a=ice-pwd:1uWlD7s0mJ6WbRNcH2sfh+5x',
  'a=ice-options:trickle',
  `a=fingerprint:${FINGERPRINT}`,
  'a=setup:actpass',
];

export function whipOffer({ video = 'VP8', simulcast = false }: OfferOptions = {}): string {
  const mids = video ? '0 1' : '0';
  const lines = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `a=group:BUNDLE ${mids}`,
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS stream',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    ...TRANSPORT,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendonly',
    'a=msid:stream audio-track',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'a=ssrc:1001 cname:whipencoder',
    'a=ssrc:1001 msid:stream audio-track',
  ];
  if (video === 'VP8') {
    lines.push(
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103',
      ...TRANSPORT,
      'a=mid:1',
      'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
      'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
      'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
      'a=sendonly',
      'a=msid:stream video-track',
      'a=rtcp-mux',
      'a=rtcp-rsize',
      'a=rtpmap:96 VP8/90000',
      'a=rtcp-fb:96 goog-remb',
      'a=rtcp-fb:96 transport-cc',
      'a=rtcp-fb:96 ccm fir',
      'a=rtcp-fb:96 nack',
      'a=rtcp-fb:96 nack pli',
      'a=rtpmap:97 rtx/90000',
      'a=fmtp:97 apt=96',
      'a=rtpmap:102 H264/90000',
      'a=rtcp-fb:102 nack',
      'a=rtcp-fb:102 nack pli',
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
      'a=rtpmap:103 rtx/90000',
      'a=fmtp:103 apt=102',
    );
    if (simulcast) {
      lines.push('a=rid:q send', 'a=rid:h send', 'a=rid:f send', 'a=simulcast:send q;h;f');
    } else {
      lines.push(
        'a=ssrc-group:FID 2001 2002',
        'a=ssrc:2001 cname:whipencoder',
        'a=ssrc:2001 msid:stream video-track',
        'a=ssrc:2002 cname:whipencoder',
        'a=ssrc:2002 msid:stream video-track',
      );
    }
  } else if (video === 'H264') {
    // As OBS offers it: H.264 alone, constrained baseline, no retransmission codec.
    lines.push(
      'm=video 9 UDP/TLS/RTP/SAVPF 102',
      ...TRANSPORT,
      'a=mid:1',
      'a=sendonly',
      'a=rtcp-mux',
      'a=rtpmap:102 H264/90000',
      'a=rtcp-fb:102 nack',
      'a=rtcp-fb:102 nack pli',
      'a=fmtp:102 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
      'a=ssrc:3001 cname:obs',
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
