import { UplinkAdaptation, type UplinkSample } from './UplinkAdaptation';
import { readUplink, type StatsEntry, type UplinkCounters } from './uplinkStats';

/** What the studio shows about the organizer's uplink, once a second. */
export interface UplinkReport {
  sample: UplinkSample;
  /** Video layers carrying bytes now, by rid, lowest first. */
  layersSending: string[];
  /** Layers the link allows (0: sound only), while the camera is on; null while it is off. */
  layersAllowed: number | null;
  /** The link is close to forcing sound only. */
  audioOnlySoon: boolean;
}

const INTERVAL_MS = 1_000;

/**
 * Watches the send transport once a second and keeps the video within what the uplink carries: it owns
 * the adaptation (the decisions) and the stats loop; the publisher is told how many layers to send.
 */
export class UplinkGuard {
  readonly #adaptation = new UplinkAdaptation();
  readonly #readStats: () => Promise<StatsEntry[]>;
  readonly #setLayers: (layers: number) => void;
  readonly #report: (report: UplinkReport) => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #counters: UplinkCounters | null = null;
  #videoWanted = false;
  #reading = false;

  constructor(readStats: () => Promise<StatsEntry[]>, setLayers: (layers: number) => void, report: (report: UplinkReport) => void) {
    this.#readStats = readStats;
    this.#setLayers = setLayers;
    this.#report = report;
    this.#timer = setInterval(() => void this.#tick(), INTERVAL_MS);
  }

  /** Layers to send now (0 while the link allows only the sound). */
  get layers(): number {
    return this.#adaptation.layers;
  }

  /**
   * The camera turned on or off. While it is off there is nothing to decide: the sound alone says nothing
   * about room for video, and the last verdict stands for when it comes back.
   */
  setVideoWanted(wanted: boolean): void {
    if (wanted && !this.#videoWanted) this.#adaptation.videoStarted(Date.now());
    this.#videoWanted = wanted;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    // A getStats() slower than the interval (a busy tab) must not pile up readings.
    if (this.#reading) return;
    this.#reading = true;
    try {
      const entries = await this.#readStats();
      const now = Date.now();
      const first = this.#counters === null;
      const reading = readUplink(entries, now, this.#counters);
      this.#counters = reading.counters;
      if (first) return;
      let audioOnlySoon = false;
      if (this.#videoWanted) {
        const before = this.#adaptation.layers;
        const decision = this.#adaptation.observe(now, reading.sample);
        audioOnlySoon = decision.audioOnlySoon;
        if (decision.layers !== before) this.#setLayers(decision.layers);
      }
      this.#report({
        sample: reading.sample,
        layersSending: reading.layersSending,
        layersAllowed: this.#videoWanted ? this.#adaptation.layers : null,
        audioOnlySoon,
      });
    } catch {
      // A closed transport refuses getStats(); the publisher closes this guard with it.
    } finally {
      this.#reading = false;
    }
  }
}
