/**
 * Runs in the benchmark's browser page: publishes the camera and microphone the way a plain mediasoup-client
 * app does — produce() with its defaults for the sound (the browser's own Opus settings, normal priority),
 * the same VP8 simulcast layers as the studio, and nothing watching the uplink. The baseline the studio's
 * protected publisher is compared with. Started as `start(slug, key)`; resolves once both producers exist.
 */
import type { types } from 'mediasoup-client';
import { cameraConstraints, simulcastEncodings } from '../../shared/media';
import { createTransport, loadDevice } from '../../client/src/media/device';
import { MediaSignalling } from '../../client/src/media/MediaSignalling';

async function start(slug: string, key: string): Promise<void> {
  const signalling = new MediaSignalling();
  await new Promise<void>((resolve) => signalling.onConnect(resolve));
  await signalling.request('join', { slug, key });
  const { routerRtpCapabilities } = await signalling.request('goLive', {});
  const device = await loadDevice(routerRtpCapabilities as types.RtpCapabilities);
  const transport = createTransport(device, signalling, 'send', await signalling.request('createTransport', { direction: 'send' }));
  transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
    signalling.request('produce', { transportId: transport.id, kind, rtpParameters }).then(({ producerId }) => callback({ id: producerId }), errback);
  });
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: cameraConstraints });
  await transport.produce({ track: media.getAudioTracks()[0]! });
  const vp8 = device.sendRtpCapabilities.codecs?.find((codec) => codec.mimeType.toLowerCase() === 'video/vp8');
  await transport.produce({ track: media.getVideoTracks()[0]!, encodings: simulcastEncodings.map((e) => ({ ...e })), codec: vp8 });
}

(window as unknown as { startStockPublisher: typeof start }).startStockPublisher = start;
