import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { expect, it } from 'vitest';
import { OPUS_MAX_AVERAGE_BITRATE } from '../../../../shared/media';
import { trackPeerConnections } from '../../../helpers/browser';
import { withServerAndBrowser } from '../../../helpers/serverAndBrowser';
import { createEvent } from '../../../helpers/testServer';

// The organizer's producers as the SFU made them, found through mediasoup's observer (set before the server starts).
const producers: types.Producer[] = [];
mediasoup.observer.on('newworker', (worker) =>
  worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (transport) => {
      if (transport.type === 'webrtc') transport.observer.on('newproducer', (producer) => producers.push(producer));
    }),
  ),
);

const test = withServerAndBrowser();

it('sends the studio’s sound as speech Opus (mono, in-band FEC, DTX, capped) at high priority, and shows the uplink in plain words', async () => {
  const { slug, eventKey } = await createEvent(test, 'Speech first');
  const studio = await test.browser.newPage();
  await trackPeerConnections(studio);
  await studio.goto(`${test.url}/studio/${slug}`);
  await studio.getByTestId('organizer-key-input').fill(eventKey);
  await studio.getByTestId('organizer-key-save').click();
  await expect.poll(() => studio.getByTestId('camera-toggle').textContent()).toBe('Turn the camera off');
  await studio.getByTestId('go-live').click();
  await expect.poll(() => producers.filter((p) => !p.closed).map((p) => p.kind).sort()).toEqual(['audio', 'video']);

  // What the server's producer was told the browser sends (the offer's fmtp line).
  const opus = producers.find((p) => p.kind === 'audio')!.rtpParameters.codecs[0]!;
  expect(opus.mimeType.toLowerCase()).toBe('audio/opus');
  expect(opus.parameters).toMatchObject({ useinbandfec: 1, usedtx: 1 });
  expect(opus.parameters?.stereo ?? 0).toBe(0);

  const sent = await studio.evaluate(() => {
    const pcs = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    const pc = pcs.find((p) => p.getSenders().some((s) => s.track?.kind === 'audio'))!;
    const encoding = pc.getSenders().find((s) => s.track?.kind === 'audio')!.getParameters().encodings[0] as RTCRtpEncodingParameters & {
      networkPriority?: string;
    };
    // The encoder's settings are what the answer asks of the browser: its Opus fmtp line.
    const opusPayload = /a=rtpmap:(\d+) opus\//i.exec(pc.remoteDescription!.sdp)![1];
    const fmtp = new RegExp(`a=fmtp:${opusPayload} (.*)`).exec(pc.remoteDescription!.sdp)![1]!;
    return { priority: encoding.priority, networkPriority: encoding.networkPriority, fmtp: fmtp.trim().split(';').sort() };
  });
  expect(sent).toEqual({
    priority: 'high',
    networkPriority: 'high',
    fmtp: expect.arrayContaining([`maxaveragebitrate=${OPUS_MAX_AVERAGE_BITRATE}`, 'stereo=0', 'usedtx=1', 'useinbandfec=1']),
  });

  // Loopback carries everything: figures in words, video layers reaching the server, no warning.
  await expect.poll(() => studio.getByTestId('uplink-figures').textContent()).toMatch(/^sending \d+ kbps, [\d.]+ % lost, round trip \d+ ms$/);
  await expect.poll(async () => Number(await studio.getByTestId('uplink-layers').getAttribute('data-layers'))).toBeGreaterThan(0);
  expect(await studio.getByTestId('uplink-audio-only').count()).toBe(0);
});
