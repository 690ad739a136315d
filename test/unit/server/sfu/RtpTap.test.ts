import { describe, expect, it } from 'vitest';
import { topLayers } from '../../../../server/sfu/RtpTap';

describe('RtpTap: the layer the packager receives', () => {
  it('takes the top of three simulcast encodings with three temporal layers', () => {
    const encodings = [{ rid: 'r0', scalabilityMode: 'L1T3' }, { rid: 'r1', scalabilityMode: 'L1T3' }, { rid: 'r2', scalabilityMode: 'L1T3' }];
    expect(topLayers(encodings)).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  });

  it('takes the top of two encodings when the organizer sends only two', () => {
    expect(topLayers([{ rid: 'r0', scalabilityMode: 'L1T2' }, { rid: 'r1', scalabilityMode: 'L1T2' }])).toEqual({
      spatialLayer: 1,
      temporalLayer: 1,
    });
  });

  it('reads the spatial layers of a single SVC encoding from its scalability mode', () => {
    expect(topLayers([{ ssrc: 1, scalabilityMode: 'L3T3_KEY' }])).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  });

  it('takes the only layer of encodings that declare none', () => {
    expect(topLayers([{ rid: 'r0' }, { rid: 'r1' }, { rid: 'r2' }])).toEqual({ spatialLayer: 2, temporalLayer: 0 });
  });
});
