/**
 * npm run bench:uplink [-- --good 30 --low 40 --recover 60 --low-kbps 64 --good-kbps 1000]
 * An organizer on a throttled uplink: Chromium (fake 720p camera, espeak-ng speech as the microphone) runs
 * inside a network namespace whose uplink is shaped with tc tbf (Linux traffic shaping: Chromium's own
 * emulation does not hold for WebRTC) and publishes to the server on the host side, good → low → good.
 * Twice in one run: the studio's publisher (speech-tuned Opus at high priority, layers and video dropped
 * for the uplink, video back when it allows), then a plain mediasoup-client publisher with produce()'s
 * defaults and the same simulcast layers. What counts is what reaches the SFU, read from the producers'
 * own statistics once a second: audio packets lost, simulcast layers arriving, seconds without video and
 * the time video takes to return after the link recovers. Writes bench/results/uplink.json. Needs root.
 */
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { createLogger } from '../server/logger';
import { speechTrack } from '../server/sfu/speechTrack';
import { waitFor } from '../test/helpers/browser';
import { QUEUE_LATENCY_MS, ShapedNamespace } from '../test/helpers/shapedNamespace';
import { createEvent, startTestServer, type TestServer } from '../test/helpers/testServer';
import { writeResult } from './writeResult';

const { values } = parseArgs({
  options: {
    good: { type: 'string', default: '30' },
    low: { type: 'string', default: '40' },
    recover: { type: 'string', default: '60' },
    'good-kbps': { type: 'string', default: '1000' },
    'low-kbps': { type: 'string', default: '64' },
  },
});
const PHASES = [
  { name: 'good', seconds: Number(values.good), kbps: Number(values['good-kbps']) },
  { name: 'low', seconds: Number(values.low), kbps: Number(values['low-kbps']) },
  { name: 'recover', seconds: Number(values.recover), kbps: Number(values['good-kbps']) },
] as const;
/** Unmeasured time for the publisher's estimate to climb to the good link before the first phase. */
const WARM_UP_MS = 10_000;
const SAMPLE_MS = 1_000;
/** Opus frames as Chromium sends them: one packet lost is this much sound lost (before FEC repairs any). */
const OPUS_FRAME_SECONDS = 0.02;
/** A layer that brought fewer bytes than this in a second is not being sent (a keyframe request's echo, padding). */
const LAYER_BYTES_PER_SECOND = 1_500;
/** Video is back once it has arrived this many seconds in a row. */
const STEADY_SECONDS = 3;

interface Sample {
  phase: string;
  /** Seconds since the first phase began. */
  at: number;
  audioPackets: number;
  audioPacketsLost: number;
  audioBytes: number;
  videoBytes: number;
  /** Simulcast layers (rids) that brought video this second. */
  layers: number;
  /** What the studio showed the organizer (the protected publisher only). */
  studio: { layersShown: number | null; warning: boolean; audioOnlyNotice: boolean } | null;
}

/** Every producer made on a WebRTC transport, found through mediasoup's observer (the organizer's, here). */
function watchProducers(): Set<types.Producer> & { made: types.Producer[] } {
  const producers = Object.assign(new Set<types.Producer>(), { made: [] as types.Producer[] });
  mediasoup.observer.on('newworker', (worker) =>
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) => {
        if (transport.type !== 'webrtc') return;
        transport.observer.on('newproducer', (producer) => {
          producers.add(producer);
          producers.made.push(producer);
          producer.observer.once('close', () => producers.delete(producer));
        });
      }),
    ),
  );
  return producers;
}

/** Cumulative counters per producer stream (producer id and rid), turned into per-second deltas. */
class SfuCounters {
  readonly #last = new Map<string, { packets: number; lost: number; bytes: number }>();

  async read(producers: Set<types.Producer>): Promise<Omit<Sample, 'phase' | 'at' | 'studio'>> {
    const sample = { audioPackets: 0, audioPacketsLost: 0, audioBytes: 0, videoBytes: 0, layers: 0 };
    for (const producer of producers) {
      const stats = await producer.getStats().catch(() => []);
      for (const stream of stats) {
        const key = `${producer.id}/${stream.rid ?? stream.ssrc}`;
        const last = this.#last.get(key) ?? { packets: 0, lost: 0, bytes: 0 };
        const now = { packets: stream.packetCount, lost: Math.max(0, stream.packetsLost), bytes: stream.byteCount };
        this.#last.set(key, now);
        const bytes = now.bytes - last.bytes;
        if (producer.kind === 'audio') {
          sample.audioPackets += now.packets - last.packets;
          sample.audioPacketsLost += now.lost - last.lost;
          sample.audioBytes += bytes;
        } else {
          sample.videoBytes += bytes;
          if (bytes >= LAYER_BYTES_PER_SECOND) sample.layers += 1;
        }
      }
    }
    return sample;
  }
}

const STUDIO_SCRIPT = `(() => {
  const layers = document.querySelector('[data-testid="uplink-layers"]');
  return {
    layersShown: layers ? Number(layers.dataset.layers) : null,
    warning: document.querySelector('[data-testid="uplink-warning"]') !== null,
    audioOnlyNotice: document.querySelector('[data-testid="uplink-audio-only"]') !== null,
  };
})()`;

type Publish = (browser: Browser, origin: string, slug: string, key: string) => Promise<Page>;

/** The studio, as an organizer uses it: key, camera on, Go live. */
const publishFromStudio: Publish = async (browser, origin, slug, key) => {
  const page = await browser.newPage();
  await page.goto(`${origin}/studio/${slug}`);
  await page.getByTestId('organizer-key-input').fill(key);
  await page.getByTestId('organizer-key-save').click();
  await waitFor(() => page.getByTestId('camera-toggle').textContent(), (text) => text === 'Turn the camera off', 30_000);
  await page.getByTestId('go-live').click();
  await waitFor(() => page.getByTestId('publish-state').getAttribute('data-state'), (state) => state === 'publishing', 30_000);
  return page;
};

/** The stock publisher, bundled from bench/uplink/stockPublisher.ts and served on the server's origin by the browser itself. */
async function stockPublisher(): Promise<Publish> {
  const built = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      rollupOptions: {
        input: new URL('./uplink/stockPublisher.ts', import.meta.url).pathname,
        output: { format: 'es', codeSplitting: false },
      },
    },
  });
  const output = (Array.isArray(built) ? built[0] : built) as { output: Array<{ type: string; code?: string }> };
  const code = output.output.find((chunk) => chunk.type === 'chunk')!.code!;
  const html = `<!doctype html><meta charset="utf-8"><title>stock publisher</title><script type="module">${code}</script>`;
  return async (browser, origin, slug, key) => {
    const page = await browser.newPage();
    await page.route(`${origin}/bench/stock-publisher`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
    await page.goto(`${origin}/bench/stock-publisher`);
    await page.waitForFunction('typeof window.startStockPublisher === "function"');
    await page.evaluate(([s, k]) => (window as unknown as { startStockPublisher(s: string, k: string): Promise<void> }).startStockPublisher(s!, k!), [slug, key]);
    return page;
  };
}

async function runPublisher(
  test: TestServer,
  browser: Browser,
  origin: string,
  shaped: ShapedNamespace,
  producers: ReturnType<typeof watchProducers>,
  name: string,
  publish: Publish,
): Promise<{ samples: Sample[]; audioProducers: number }> {
  const { slug, eventKey } = await createEvent(test, `Uplink ${name}`);
  await shaped.shapeUplink(PHASES[0].kbps);
  const page = await publish(browser, origin, slug, eventKey);
  try {
    const kinds = () => Promise.resolve([...producers].map((p) => p.kind).sort().join());
    if ((await waitFor(kinds, (k) => k === 'audio,video', 30_000)) !== 'audio,video') throw new Error(`${name}: no audio and video producers`);
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const counters = new SfuCounters();
    await counters.read(producers);
    const samples: Sample[] = [];
    const madeBefore = producers.made.length;
    const start = Date.now();
    let phaseEnd = start;
    for (const phase of PHASES) {
      await shaped.shapeUplink(phase.kbps);
      process.stdout.write(`${name}: ${phase.name}, ${phase.kbps} kbps for ${phase.seconds} s…\n`);
      phaseEnd += phase.seconds * 1000;
      let next = Date.now() + SAMPLE_MS;
      while (next <= phaseEnd) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
        next += SAMPLE_MS;
        const studio = publish === publishFromStudio ? ((await page.evaluate(STUDIO_SCRIPT)) as Sample['studio']) : null;
        samples.push({ phase: phase.name, at: (Date.now() - start) / 1000, ...(await counters.read(producers)), studio });
      }
    }
    // More than one: the publisher lost its connection and published again (the stock one never does).
    const audioProducers = 1 + producers.made.slice(madeBefore).filter((p) => p.kind === 'audio').length;
    return { samples, audioProducers };
  } finally {
    await page.close();
    test.server.events.end(slug);
  }
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/**
 * Sound lost in one second: a second in which no audio arrived at all (with DTX a packet comes at least
 * every 400 ms) is a second lost; otherwise its lost packets, capped at the second so that the sequence
 * jump after a silence is not counted twice.
 */
function audioLostSeconds(sample: Sample): number {
  return sample.audioPackets === 0 ? SAMPLE_MS / 1000 : Math.min(SAMPLE_MS / 1000, sample.audioPacketsLost * OPUS_FRAME_SECONDS);
}

function figures({ samples, audioProducers }: { samples: Sample[]; audioProducers: number }) {
  const recoverFrom = samples.findIndex((s) => s.phase === 'recover');
  let back: number | null = null;
  for (let i = recoverFrom; i >= 0 && i + STEADY_SECONDS <= samples.length; i++) {
    if (samples.slice(i, i + STEADY_SECONDS).every((s) => s.layers > 0)) {
      back = round(samples[i]!.at - samples[recoverFrom]!.at + SAMPLE_MS / 1000);
      break;
    }
  }
  const phases = PHASES.map(({ name, kbps, seconds }) => {
    const own = samples.filter((s) => s.phase === name);
    const layerSeconds = [0, 1, 2, 3].map((layers) => own.filter((s) => s.layers === layers).length);
    const lost = own.reduce((sum, s) => sum + s.audioPacketsLost, 0);
    const sent = own.reduce((sum, s) => sum + s.audioPackets + s.audioPacketsLost, 0);
    return {
      name,
      kbps,
      seconds,
      audioLostSeconds: round(own.reduce((sum, s) => sum + audioLostSeconds(s), 0)),
      audioLossPercent: round(sent > 0 ? (100 * lost) / sent : 0),
      audioKbps: round(own.reduce((sum, s) => sum + s.audioBytes, 0) * 8 / 1000 / Math.max(1, own.length)),
      videoKbps: round(own.reduce((sum, s) => sum + s.videoBytes, 0) * 8 / 1000 / Math.max(1, own.length)),
      /** Seconds during which 0, 1, 2 and 3 simulcast layers reached the SFU. */
      layerSeconds,
      videoOffSeconds: layerSeconds[0]!,
      ...(own[0]?.studio
        ? {
            studioWarningSeconds: own.filter((s) => s.studio?.warning).length,
            studioAudioOnlySeconds: own.filter((s) => s.studio?.audioOnlyNotice).length,
          }
        : {}),
    };
  });
  return {
    audioLostSeconds: round(phases.reduce((sum, p) => sum + p.audioLostSeconds, 0)),
    videoOffSeconds: phases.reduce((sum, p) => sum + p.videoOffSeconds, 0),
    secondsBackToVideo: back,
    audioProducers,
    phases,
    /** Per second: simulcast layers arriving ("-": no audio either), and audio packets lost. */
    timeline: {
      layers: samples.map((s) => (s.audioPackets === 0 ? '-' : String(s.layers))).join(''),
      audioPacketsLost: samples.map((s) => s.audioPacketsLost),
    },
  };
}

const producers = watchProducers();
const shaped = await ShapedNamespace.create();
let test: TestServer | undefined;
let browser: Browser | undefined;
try {
  const speech = await speechTrack(createLogger('silent'));
  if (!speech) throw new Error('bench:uplink speaks: install espeak-ng (scripts/setup.sh)');
  test = await startTestServer(shaped.serverEnv());
  const origin = `http://${shaped.hostAddress}:${test.server.port}`;
  const stock = await stockPublisher();
  browser = await shaped.launchChromium(origin, [`--use-file-for-fake-audio-capture=${speech}`]);
  const ours = figures(await runPublisher(test, browser, origin, shaped, producers, 'ours', publishFromStudio));
  const plain = figures(await runPublisher(test, browser, origin, shaped, producers, 'stock', stock));
  await writeResult('uplink', {
    ...ours,
    stock: plain,
    profile: {
      phases: PHASES,
      shaping: `tc tbf on the uplink of a network namespace (queue ${QUEUE_LATENCY_MS} ms), Chromium inside, server on the host`,
      source: 'Chromium fake camera (1280x720 asked) and espeak-ng speech as the fake microphone',
      audioLostSeconds: `per second at the SFU (producer stats): 1 s when no audio arrived, else packets lost × ${OPUS_FRAME_SECONDS * 1000} ms (before in-band FEC repairs any)`,
    },
  });
} finally {
  // The namespace first: it outlives this process otherwise, whatever else fails to close.
  await browser?.close().catch(() => undefined);
  await shaped.close();
  await test?.close();
}
