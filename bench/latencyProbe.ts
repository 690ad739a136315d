/**
 * Runs in the benchmark's Chromium page (bundled by bench/latency.ts). It can publish as an organizer
 * would from the studio (the app's Publisher), with a canvas stamped with the wall clock instead of a
 * camera; receive over WebRTC with the app's Receiver or over HLS with stock hls.js; and read the stamp
 * off every frame shown to tell how old it is.
 */
import Hls from 'hls.js';
import type { types } from 'mediasoup-client';
import { MediaSignalling } from '../client/src/media/MediaSignalling';
import { Receiver, TOP_SPATIAL_LAYER } from '../client/src/player/Receiver';
import { Publisher } from '../client/src/studio/Publisher';
import { readTimecode, timecodeAge, timecodeBlocks, timecodeLayout } from '../server/sfu/timecode';

const FPS = 25;
const samples: number[] = [];

async function connect(): Promise<MediaSignalling> {
  const signalling = new MediaSignalling();
  await new Promise<void>((resolve) => {
    const off = signalling.onConnect(() => {
      off();
      resolve();
    });
  });
  return signalling;
}

/** Goes live with a canvas showing the wall clock as timecode, and a tone, through the studio's Publisher. */
export async function publishCanvas(slug: string, key: string, width: number, height: number): Promise<void> {
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d')!;
  const layout = timecodeLayout(width, height);
  let frame = 0;
  const draw = () => {
    // Something moving below the strip, so that the encoder sends real frames.
    context.fillStyle = `hsl(${(frame++ * 7) % 360} 60% 40%)`;
    context.fillRect(0, 0, width, height);
    timecodeBlocks(Date.now()).forEach((white, i) => {
      context.fillStyle = white ? '#fff' : '#000';
      context.fillRect(i * layout.blockWidth, 0, layout.blockWidth, layout.stripHeight);
    });
  };
  draw();
  setInterval(draw, 1000 / FPS);
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const output = audio.createMediaStreamDestination();
  tone.connect(output);
  tone.start();
  const tracks = { audio: output.stream.getAudioTracks()[0]!, video: canvas.captureStream(FPS).getVideoTracks()[0] ?? null };

  const signalling = await connect();
  await signalling.request('join', { slug, key });
  const { routerRtpCapabilities } = await signalling.request('goLive', {});
  await Publisher.open(signalling, routerRtpCapabilities as types.RtpCapabilities, tracks, (reason) => console.error(reason));
}

export async function watchWebRtc(slug: string, sourceWidth: number, sourceHeight: number): Promise<void> {
  const video = newVideo();
  const signalling = await connect();
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

function newVideo(): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  document.body.append(video);
  return video;
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
    context.drawImage(video, 0, 0);
    const { data } = context.getImageData(0, 0, width, Math.ceil(layout.stripHeight * scaleY));
    const stamp = readTimecode(layout, (x, y) => {
      const i = (Math.floor(y * scaleY) * width + Math.floor(x * scaleX)) * 4;
      return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    });
    if (stamp !== undefined) samples.push(timecodeAge(stamp, performance.timeOrigin + frame.expectedDisplayTime));
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
