import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpStatusError } from '../../../../client/src/player/fetchMetered';
import { fetchOnPathways } from '../../../../client/src/player/pathwayFetch';
import { Pathways } from '../../../../client/src/player/Pathways';
import { TransferMeter } from '../../../../client/src/player/TransferMeter';
import { steeringManifest } from '../../../../shared/steering';

const ORIGIN = 'https://jalsa.example';
const SEGMENT = `${ORIGIN}/hls/rally-1/runs/1/audio/seg_00003.m4s`;
const MIRRORED = 'https://eu.example/hls/rally-1/runs/1/audio/seg_00003.m4s';

function pathways(): Pathways {
  const steered = new Pathways(ORIGIN);
  steered.steer(steeringManifest('rally-1', [{ id: 'eu-1', baseUrl: 'https://eu.example' }], ['origin', 'eu-1']), performance.now());
  return steered;
}

/** fetch answering by URL: a function gives the response, an Error is thrown. */
function stubFetch(answers: Record<string, () => Response>): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url);
    const answer = answers[url];
    if (!answer) throw new TypeError('Failed to fetch');
    return answer();
  });
  return asked;
}

afterEach(() => vi.unstubAllGlobals());

describe('fetchOnPathways', () => {
  it('asks the next pathway at once when the host does not answer, and stays there', async () => {
    const asked = stubFetch({ [MIRRORED]: () => new Response('segment') });
    const steered = pathways();
    const { body } = await fetchOnPathways(steered, SEGMENT, new TransferMeter());
    expect(new TextDecoder().decode(body)).toBe('segment');
    expect(asked).toEqual([SEGMENT, MIRRORED]);
    expect(steered.current(performance.now())).toBe('eu-1');
  });

  it('fails over on a server error or a refusal, not on a missing file', async () => {
    const refused = stubFetch({ [SEGMENT]: () => new Response('', { status: 403 }), [MIRRORED]: () => new Response('x') });
    await fetchOnPathways(pathways(), SEGMENT, new TransferMeter());
    expect(refused).toEqual([SEGMENT, MIRRORED]);

    const missing = stubFetch({ [SEGMENT]: () => new Response('', { status: 404 }), [MIRRORED]: () => new Response('x') });
    const steered = pathways();
    await expect(fetchOnPathways(steered, SEGMENT, new TransferMeter())).rejects.toEqual(new HttpStatusError(404));
    expect(missing).toEqual([SEGMENT]);
    expect(steered.current(performance.now())).toBe('origin');
  });

  it('gives up once every pathway failed, for the caller to retry later', async () => {
    const asked = stubFetch({});
    await expect(fetchOnPathways(pathways(), SEGMENT, new TransferMeter())).rejects.toThrow(TypeError);
    expect(asked).toEqual([SEGMENT, MIRRORED]);
  });
});
