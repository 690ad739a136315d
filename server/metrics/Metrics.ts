import { Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RECORDINGS_URL_PATH, recordingFileKind, type RecordingFileKind } from '../../shared/recordingLayout';
import { RecordingState } from '../../shared/signalling';
import { hasBearerSecret } from '../http/bearerKey';
import type { AdmissionControl } from '../realtime/AdmissionControl';
import type { AppliedEntries } from './ChatRate';
import { emptyCounts, type EventAudience } from './EventAudience';
import type { EventStatsCollector } from './EventStatsCollector';

/** What each HLS request at the origin is for: how well a cache in front works shows in these. */
const HLS_FILE_KINDS: ReadonlySet<RecordingFileKind> = new Set(['playlist', 'segment', 'init']);

export interface MetricsSources {
  collector: EventStatsCollector;
  /** The owner of recordings: how often its catalog read files, and its download ffmpeg runs. */
  recordings: { readonly catalog: { readonly reads: number }; readonly audioDownloads: { readonly runs: number } };
  audience: EventAudience;
  chat: AppliedEntries;
  /** The server-wide admission of newcomers: how many it turned away, and why. */
  admission: Pick<AdmissionControl, 'refused'>;
  /** When set, scrapers must send it as a bearer token: the figures name every live event. */
  token?: string | undefined;
}

/**
 * The server's Prometheus metrics at `/metrics`, in a registry of its own (several servers can share a
 * process, as in tests). Per-event figures are read when scraped, for live events only.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #chat: AppliedEntries;
  readonly #token: string | undefined;
  readonly #chatEntries: Counter<'event'>;
  readonly #hlsRequests: Counter<'type' | 'status'>;

  constructor({ collector, recordings, audience, chat, admission, token }: MetricsSources) {
    this.#token = token;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'jalsa_live_events',
      help: 'Events live now',
      registers,
      collect() {
        this.set(collector.liveEvents().length);
      },
    });
    new Gauge({
      name: 'jalsa_attendees',
      help: 'Attendees of live events by how their player says it receives',
      labelNames: ['event', 'mode'] as const,
      registers,
      collect() {
        this.reset();
        const counts = audience.playbackCounts();
        for (const event of collector.liveEvents()) {
          for (const [mode, count] of Object.entries(counts.get(event) ?? emptyCounts())) this.set({ event, mode }, count);
        }
      },
    });
    const ingestBitrate = new Gauge({
      name: 'jalsa_ingest_bitrate_bps',
      help: 'Bitrate the SFU receives from the organizer, per live event and media kind',
      labelNames: ['event', 'kind'] as const,
      registers,
    });
    const ingestLost = new Gauge({
      name: 'jalsa_ingest_packets_lost',
      help: 'RTP packets of the organizer lost on the way to the SFU since the producer started',
      labelNames: ['event', 'kind'] as const,
      registers,
    });
    new Gauge({
      name: 'jalsa_ingest_loss_ratio',
      help: 'Share of the organizer’s RTP packets lost in the last RTCP interval (0–1)',
      labelNames: ['event', 'kind'] as const,
      registers,
      // One producer stats round fills all three ingest gauges.
      async collect() {
        this.reset();
        ingestBitrate.reset();
        ingestLost.reset();
        await Promise.all(
          collector.liveEvents().map(async (event) => {
            for (const stream of await collector.ingest(event)) {
              const labels = { event, kind: stream.kind };
              this.set(labels, stream.lossFraction);
              ingestBitrate.set(labels, stream.bitrateBps);
              ingestLost.set(labels, stream.packetsLost);
            }
          }),
        );
      },
    });
    new Gauge({
      name: 'jalsa_packager_state',
      help: 'State of each live event’s HLS packager / recorder: 1 for the current state',
      labelNames: ['event', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const event of collector.liveEvents()) {
          const current = collector.packagerState(event);
          for (const state of RecordingState.options) this.set({ event, state }, state === current ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'jalsa_webrtc_seats_used',
      help: 'Attendees receiving over WebRTC, over all workers',
      registers,
      collect() {
        this.set(collector.webrtcSeats().used);
      },
    });
    new Gauge({
      name: 'jalsa_webrtc_seats_capacity',
      help: 'WebRTC seats over all workers; attendees beyond them are sent to HLS',
      registers,
      collect() {
        this.set(collector.webrtcSeats().capacity);
      },
    });
    new Counter({
      name: 'jalsa_recording_catalog_reads_total',
      help: 'Recordings described from their files for the replay list: what its cache did not absorb',
      registers,
      collect() {
        this.reset();
        this.inc(recordings.catalog.reads);
      },
    });
    new Counter({
      name: 'jalsa_audio_download_runs_total',
      help: 'ffmpeg runs that made a recording’s audio download (when finishing it, or when one was missing)',
      registers,
      collect() {
        this.reset();
        this.inc(recordings.audioDownloads.runs);
      },
    });
    new Counter({
      name: 'jalsa_admission_refused_total',
      help: 'Newcomers the server-wide admission turned away: handshakes and attendee joins, over the rate or while the event loop lagged',
      labelNames: ['kind', 'why'] as const,
      registers,
      collect() {
        this.reset();
        for (const [kind, byWhy] of Object.entries(admission.refused)) {
          for (const [why, count] of Object.entries(byWhy)) this.inc({ kind, why }, count);
        }
      },
    });
    this.#chatEntries = new Counter({
      name: 'jalsa_chat_entries_total',
      help: 'Chat entries (messages and moderation) applied in this server, per event',
      labelNames: ['event'] as const,
      registers,
    });
    this.#hlsRequests = new Counter({
      name: 'jalsa_hls_origin_requests_total',
      help: 'HLS requests answered by this server, by file type and status: what a cache in front did not absorb',
      labelNames: ['type', 'status'] as const,
      registers,
    });
    this.#chat = chat;
    chat.on('applied', this.#onChatEntry);
  }

  /** Mount before the recording routes: it counts their HLS requests and serves `/metrics`. */
  routes(): Router {
    const router = Router();
    router.use(RECORDINGS_URL_PATH, (req, res, next) => {
      const kind = recordingFileKind(req.path);
      const type = kind !== undefined && HLS_FILE_KINDS.has(kind) ? kind : 'other';
      res.once('finish', () => this.#hlsRequests.inc({ type, status: String(res.statusCode) }));
      next();
    });
    router.get('/metrics', async (req, res) => {
      if (this.#token !== undefined && !hasBearerSecret(req, this.#token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: { code: 'UNAUTHORIZED', message: 'metrics need the METRICS_TOKEN' } });
        return;
      }
      const body = await this.registry.metrics();
      res.set('Content-Type', this.registry.contentType).set('Cache-Control', 'no-store').send(body);
    });
    return router;
  }

  close(): void {
    this.#chat.off('applied', this.#onChatEntry);
    this.registry.clear();
  }

  readonly #onChatEntry = (room: { slug: string }): void => {
    this.#chatEntries.inc({ event: room.slug });
  };
}
