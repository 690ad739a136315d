/**
 * Runs in the benchmark's Chromium page (bundled by bench/latency.ts): receives an event over WebRTC
 * with the app's own Receiver, or over HLS with stock hls.js, and reads the timecode off every frame
 * shown to tell how old it is.
 */
import Hls from 'hls.js';
import type { types } from 'mediasoup-client';
import { MediaSignalling } from '../client/src/media/MediaSignalling';
import { Receiver, TOP_SPATIAL_LAYER } from '../client/src/player/Receiver';
import { readTimecode, timecodeAge, timecodeLayout } from '../server/sfu/timecode';

const samples: number[] = [];

function newVideo(): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  document.body.append(video);
  return video;
}

export async function watchWebRtc(slug: string, sourceWidth: number, sourceHeight: number): Promise<void> {
  const video = newVideo();
  const signalling = new MediaSignalling();
  await new Promise<void>((resolve) => {
    const off = signalling.onConnect(() => {
      off();
      resolve();
    });
  });
  const joined = await signalling.request('join', { slug });
  const receiver = await Receiver.open(signalling, joined.routerRtpCapabilities as types.RtpCapabilities, TOP_SPATIAL_LAYER, {
    onOutput: ({ videoTrack }) => {
      if (!videoTrack || video.srcObject !== null) return;
      video.srcObject = new MediaStream([videoTrack]);
      void video.play();
    },
    onTransportStateChange: () => undefined,
  });
  await Promise.all(joined.producers.map((p) => receiver.consume(p.producerId)));
  sampleAges(video, sourceWidth, sourceHeight);
}

export function watchHls(src: string, sourceWidth: number, sourceHeight: number): void {
  const video = newVideo();
  const hls = new Hls();
  hls.loadSource(src);
  hls.attachMedia(video);
  void video.play();
  sampleAges(video, sourceWidth, sourceHeight);
}

/** Ages in milliseconds of the frames shown so far; clears them. */
export function takeSamples(): number[] {
  return samples.splice(0);
}

function sampleAges(video: HTMLVideoElement, sourceWidth: number, sourceHeight: number): void {
  const layout = timecodeLayout(sourceWidth, sourceHeight);
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const onFrame = (_now: number, frame: VideoFrameCallbackMetadata) => {
    const { videoWidth: width, videoHeight: height } = video;
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const scaleX = width / sourceWidth;
    const scaleY = height / sourceHeight;
    const rows = Math.ceil(layout.stripHeight * scaleY);
    context.drawImage(video, 0, 0);
    const { data } = context.getImageData(0, 0, width, rows);
    const stamp = readTimecode(layout, (x, y) => {
      const i = (Math.floor(y * scaleY) * width + Math.floor(x * scaleX)) * 4;
      return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    });
    if (stamp !== undefined) samples.push(timecodeAge(stamp, performance.timeOrigin + frame.expectedDisplayTime));
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
