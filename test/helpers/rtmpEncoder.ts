import { spawn } from 'node:child_process';
import { createLogger } from '../../server/logger';
import { speechTrack } from '../../server/sfu/speechTrack';

export interface RtmpEncoder {
  /** How ffmpeg ended: 0 when it streamed until asked to stop; otherwise the server refused or dropped it. */
  exited: Promise<number | null>;
  /** What ffmpeg complained of (its warnings and errors). */
  stderr(): string;
  /** Stops it as OBS's "Stop Streaming" does (ffmpeg closes the stream), and waits for it. */
  close(): Promise<void>;
}

/**
 * An encoder publishing over RTMP as OBS does: H.264 (x264, keyframe every 2 s, OBS's default
 * interval) and AAC, from a test picture and the synthetic speech (see speechTrack), paced in real time.
 */
export async function startRtmpEncoder(url: string): Promise<RtmpEncoder> {
  const speech = await speechTrack(createLogger('silent'));
  const audioInput = speech ? ['-re', '-stream_loop', '-1', '-i', speech] : ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440'];
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'warning', '-nostdin',
      '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
      ...audioInput,
      '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '50', '-pix_fmt', 'yuv420p', '-b:v', '500k',
      '-c:a', 'aac', '-b:a', '96k', '-ar', '44100', '-ac', '2',
      '-f', 'flv', url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return {
    exited,
    stderr: () => stderr,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
