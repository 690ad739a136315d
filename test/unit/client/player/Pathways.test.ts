import { describe, expect, it } from 'vitest';
import { failsHost, Pathways } from '../../../../client/src/player/Pathways';
import { steeringManifest } from '../../../../shared/steering';
import { steeredPathways } from '../../../helpers/pathways';

const ORIGIN = 'https://jalsa.example';
const SEGMENT = `${ORIGIN}/hls/rally-1/runs/1/audio/seg_00003.m4s`;
const mirrors = [{ id: 'eu-1', baseUrl: 'https://eu.example/j' }, { id: 'us-1', baseUrl: 'https://us.example' }];

const steered = (priority: string[], at = 0) => steeredPathways(ORIGIN, mirrors, priority, at);

describe('Pathways', () => {
  it('fetches from the origin until a steering manifest names mirrors', () => {
    const pathways = new Pathways(ORIGIN);
    expect(pathways.alternatives).toBe(false);
    expect(pathways.locate(SEGMENT, 0)).toEqual({ pathway: 'origin', url: SEGMENT });
  });

  it('moves a recording file to the first pathway of the priority, at the same path under its base', () => {
    expect(steered(['eu-1', 'origin']).locate(SEGMENT, 0)).toEqual({
      pathway: 'eu-1',
      url: 'https://eu.example/j/hls/rally-1/runs/1/audio/seg_00003.m4s',
    });
  });

  it('never moves what is not a recording file, nor another site\'s address', () => {
    const pathways = steered(['eu-1', 'origin']);
    expect(pathways.locate(`${ORIGIN}/api/events/rally-1`, 0).url).toBe(`${ORIGIN}/api/events/rally-1`);
    expect(pathways.locate('https://elsewhere.example/hls/x/a.m4s', 0).url).toBe('https://elsewhere.example/hls/x/a.m4s');
  });

  it('leaves a failed pathway for the next one in the priority', () => {
    const pathways = steered(['origin', 'eu-1', 'us-1']);
    pathways.failed('origin', 1_000);
    expect(pathways.current(1_001)).toBe('eu-1');
    pathways.failed('eu-1', 1_002);
    expect(pathways.current(1_003)).toBe('us-1');
  });

  it('takes a failed pathway back only once its penalty ran out and a steering manifest came after', () => {
    const pathways = steered(['origin', 'eu-1']);
    pathways.failed('origin', 1_000);
    // The manifest still says origin first, but the penalty is running.
    pathways.steer(steeringManifest('rally-1', mirrors, ['origin', 'eu-1']), 5_000);
    expect(pathways.current(6_000)).toBe('eu-1');
    // The penalty ran out, yet no manifest has spoken since: stay.
    expect(pathways.current(20_000)).toBe('eu-1');
    pathways.steer(steeringManifest('rally-1', mirrors, ['origin', 'eu-1']), 21_000);
    expect(pathways.current(21_000)).toBe('origin');
  });

  it('leaves a host that keeps failing for longer each time, until a request on it succeeds', () => {
    const pathways = steered(['origin', 'eu-1']);
    pathways.failed('origin', 0);
    pathways.failed('origin', 20_000);
    pathways.steer(steeringManifest('rally-1', mirrors, ['origin', 'eu-1']), 35_000);
    // Second failure in a row: 20 s of penalty, not 10.
    expect(pathways.current(35_000)).toBe('eu-1');
    pathways.steer(steeringManifest('rally-1', mirrors, ['origin', 'eu-1']), 41_000);
    expect(pathways.current(41_000)).toBe('origin');
    pathways.succeeded('origin');
    pathways.failed('origin', 50_000);
    pathways.steer(steeringManifest('rally-1', mirrors, ['origin', 'eu-1']), 61_000);
    expect(pathways.current(61_000)).toBe('origin');
  });

  it('follows the organizer moving everyone off a host at the next manifest', () => {
    const pathways = steered(['origin', 'eu-1']);
    expect(pathways.current(0)).toBe('origin');
    pathways.steer(steeringManifest('rally-1', mirrors, ['eu-1', 'origin']), 10_000);
    expect(pathways.current(10_000)).toBe('eu-1');
  });

  it('tries the pathway free soonest when every one is penalized, rather than none', () => {
    const pathways = steered(['origin', 'eu-1']);
    pathways.failed('eu-1', 0);
    pathways.failed('origin', 1_000);
    expect(pathways.current(2_000)).toBe('eu-1');
  });

  it('ignores pathways the manifest gives no base for', () => {
    const pathways = new Pathways(ORIGIN);
    pathways.steer({ VERSION: 1, TTL: 10, 'PATHWAY-PRIORITY': ['ghost', 'origin'], 'JALSA-PATHWAYS': {} }, 0);
    expect(pathways.current(0)).toBe('origin');
    expect(pathways.alternatives).toBe(false);
  });

  it('sends a request whose host failed to the next pathway, each pathway once, then gives up', () => {
    const pathways = steered(['origin', 'eu-1', 'us-1']);
    const master = `${ORIGIN}/hls/rally-1/master.m3u8`;
    const tried = new Set<string>();
    expect(pathways.failover(master, 'origin', tried, 1_000)).toEqual({ pathway: 'eu-1', url: 'https://eu.example/j/hls/rally-1/master.m3u8' });
    expect(pathways.failover(master, 'eu-1', tried, 1_001)).toEqual({ pathway: 'us-1', url: 'https://us.example/hls/rally-1/master.m3u8' });
    // All three failed: the one free soonest is the origin, already tried by this request.
    expect(pathways.failover(master, 'us-1', tried, 1_002)).toBeNull();
    // The penalties are the page's: the next request starts where they leave it.
    expect(pathways.current(1_003)).toBe('origin');
    expect(pathways.failover(master, 'origin', new Set(), 1_004)?.pathway).toBe('eu-1');
  });

  it('gives up at once on a failed request that no mirror can take, rather than asking the origin again', () => {
    const pathways = steered(['origin', 'eu-1']);
    expect(pathways.failover(`${ORIGIN}/api/events/rally-1`, 'origin', new Set(), 0)).toBeNull();
    // Without a steering manifest yet, there is nowhere else either.
    expect(new Pathways(ORIGIN).failover(SEGMENT, 'origin', new Set(), 0)).toBeNull();
  });
});

describe('failsHost', () => {
  it('blames the host for no answer, a server error or a refusal, and the file for a missing one', () => {
    expect([0, 403, 451, 500, 502, 503].map(failsHost)).toEqual([true, true, true, true, true, true]);
    expect([200, 400, 404, 410].map(failsHost)).toEqual([false, false, false, false]);
  });
});
