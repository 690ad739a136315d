import { SIMULCAST_LAYER_COUNT } from '../../../shared/media';
import { useMessages } from '../i18n/language';
import { kbps, percent } from './figures';
import type { UplinkReport } from './UplinkGuard';

/**
 * The organizer's uplink in plain words, from the browser's own view of what it sends: rate, loss, round
 * trip and the video qualities reaching the server; a warning before the link forces sound only, and a
 * notice while it does.
 */
export function UplinkHealth({ report }: { report: UplinkReport | null }) {
  const t = useMessages().studio;
  const sample = report?.sample;
  const lost = Math.max(sample?.audioLoss ?? 0, sample?.videoLoss ?? 0);
  const roundTrip = sample?.roundTripSeconds == null ? '–' : `${Math.round(sample.roundTripSeconds * 1000)} ms`;
  return (
    <section className="uplink" aria-label={t.uplinkHeading} data-testid="uplink-health">
      <h2>{t.uplinkHeading}</h2>
      <p data-testid="uplink-figures">{sample ? t.uplinkFigures(kbps(sample.outgoingBps), percent(lost), roundTrip) : t.uplinkMeasuring}</p>
      {report && (
        <p data-testid="uplink-layers" data-layers={report.layersSending.length}>
          {report.layersAllowed === null
            ? t.uplinkCameraOff
            : report.layersAllowed > 0 && t.uplinkLayers(report.layersSending.length, SIMULCAST_LAYER_COUNT)}
        </p>
      )}
      {report?.audioOnlySoon && (
        <p className="notice" role="status" data-testid="uplink-warning">
          {t.uplinkAudioOnlySoon}
        </p>
      )}
      {report?.layersAllowed === 0 && (
        <p className="notice" role="status" data-testid="uplink-audio-only">
          {t.uplinkAudioOnly}
        </p>
      )}
    </section>
  );
}
