import { describe, expect, it } from 'vitest';
import { AdmissionControl } from '../../../../server/realtime/AdmissionControl';

const settings = { handshakesPerSecond: 5, joinsPerSecond: 2, shedLoopDelayMs: 500 };

describe('AdmissionControl', () => {
  it('admits two seconds’ worth of handshakes at once, then refuses with the wait until the next one', () => {
    let now = 0;
    const admission = new AdmissionControl(settings, () => now);
    const decisions = Array.from({ length: 11 }, () => admission.decide('handshake', 0));
    expect(decisions.filter((d) => d.admitted)).toHaveLength(10);
    expect(decisions.at(-1)).toEqual({ admitted: false, refusal: 'rate', retryAfterMs: 200 });
    now += 200;
    expect(admission.decide('handshake', 0)).toEqual({ admitted: true });
    expect(admission.refused.handshake).toEqual({ rate: 1, loopDelay: 0 });
  });

  it('keeps handshakes and joins apart: a flood of one leaves the other’s rate whole', () => {
    const admission = new AdmissionControl(settings, () => 0);
    while (admission.decide('handshake', 0).admitted);
    expect([1, 2, 3, 4, 5].map(() => admission.decide('join', 0).admitted)).toEqual([true, true, true, true, false]);
  });

  it('refuses every newcomer while the loop lags past the limit, without spending the rate meant for later', () => {
    let now = 0;
    const admission = new AdmissionControl(settings, () => now);
    for (let i = 0; i < 100; i++) {
      expect(admission.decide('join', 501)).toEqual({ admitted: false, refusal: 'loopDelay', retryAfterMs: 2_000 });
    }
    expect(admission.decide('handshake', 7_000)).toMatchObject({ admitted: false, refusal: 'loopDelay' });
    // The loop recovered: the whole burst is there.
    expect([1, 2, 3, 4, 5].map(() => admission.decide('join', 500).admitted)).toEqual([true, true, true, true, false]);
    expect(admission.refused).toEqual({ handshake: { rate: 0, loopDelay: 1 }, join: { rate: 1, loopDelay: 100 } });
  });

  it('never sheds on loop delay when the limit is 0', () => {
    const admission = new AdmissionControl({ ...settings, shedLoopDelayMs: 0 }, () => 0);
    expect(admission.decide('join', 60_000)).toEqual({ admitted: true });
  });

  it('lets a rate under one a second in one at a time', () => {
    let now = 0;
    const admission = new AdmissionControl({ ...settings, joinsPerSecond: 0.25 }, () => now);
    expect(admission.decide('join', 0).admitted).toBe(true);
    expect(admission.decide('join', 0)).toEqual({ admitted: false, refusal: 'rate', retryAfterMs: 4_000 });
    now += 4_000;
    expect(admission.decide('join', 0).admitted).toBe(true);
  });
});
