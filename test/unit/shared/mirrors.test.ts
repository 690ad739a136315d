import { describe, expect, it } from 'vitest';
import { MirrorSettings, mirrorSettingsOf, SteeringManifestResponse } from '../../../shared/mirrors';
import { pathwayUrl, readSteeringManifest, steeringManifest } from '../../../shared/steering';
import { recordingFiles } from '../../../shared/recordingLayout';

describe('MirrorSettings', () => {
  const valid = { mirrors: [{ id: 'eu-1', baseUrl: 'https://mirror.example/jalsa/' }], priority: ['origin', 'eu-1'] };

  it('accepts mirrors with a priority over them and the origin, trimming the base of its trailing slash', () => {
    expect(MirrorSettings.parse(valid).mirrors[0]!.baseUrl).toBe('https://mirror.example/jalsa');
  });

  it.each([
    ['a base with credentials', { ...valid, mirrors: [{ id: 'eu-1', baseUrl: 'https://u:p@mirror.example' }] }],
    ['a base with a query', { ...valid, mirrors: [{ id: 'eu-1', baseUrl: 'https://mirror.example/?x=1' }] }],
    ['a javascript: base', { ...valid, mirrors: [{ id: 'eu-1', baseUrl: 'javascript:alert(1)' }] }],
    ['a mirror named as the origin', { mirrors: [{ id: 'origin', baseUrl: 'https://m.example' }], priority: ['origin'] }],
    ['two mirrors of one name', { mirrors: [valid.mirrors[0], valid.mirrors[0]], priority: ['origin'] }],
    ['a priority naming an unknown pathway', { ...valid, priority: ['origin', 'nowhere'] }],
    ['a priority naming one pathway twice', { ...valid, priority: ['origin', 'origin'] }],
    ['an empty priority', { ...valid, priority: [] }],
    ['a name that cannot be a PATHWAY-ID', { mirrors: [{ id: 'EU "1"', baseUrl: 'https://m.example' }], priority: ['origin'] }],
    ['an unknown field', { ...valid, extra: true }],
  ])('refuses %s', (_name, settings) => {
    expect(MirrorSettings.safeParse(settings).success).toBe(false);
  });
});

describe('pathway addresses and the steering manifest', () => {
  it('puts a recording file at the same path under a mirror base as on the origin', () => {
    expect(pathwayUrl('', 'rally-1', recordingFiles.liveAudioPlaylist)).toBe('/hls/rally-1/audio.live.m3u8');
    expect(pathwayUrl('https://m.example/j', 'rally-1', 'runs/1/audio/seg_00001.m4s')).toBe('https://m.example/j/hls/rally-1/runs/1/audio/seg_00001.m4s');
  });

  it('carries the priority and where every pathway is', () => {
    const manifest = steeringManifest('rally-1', [{ id: 'eu-1', baseUrl: 'https://m.example' }], ['eu-1', 'origin']);
    expect(manifest).toEqual({
      VERSION: 1,
      TTL: 10,
      'RELOAD-URI': '/api/events/rally-1/steering',
      'PATHWAY-PRIORITY': ['eu-1', 'origin'],
      'JALSA-PATHWAYS': { origin: '', 'eu-1': 'https://m.example' },
    });
  });
});

describe('readSteeringManifest', () => {
  it('reads what the server writes', () => {
    const manifest = steeringManifest('rally-1', [], ['origin']);
    expect(readSteeringManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
  });

  it.each([
    ['another version', { VERSION: 2, TTL: 10, 'PATHWAY-PRIORITY': ['origin'], 'JALSA-PATHWAYS': {} }],
    ['no priority', { VERSION: 1, TTL: 10, 'PATHWAY-PRIORITY': [], 'JALSA-PATHWAYS': {} }],
    ['a base that is not text', { VERSION: 1, TTL: 10, 'PATHWAY-PRIORITY': ['origin'], 'JALSA-PATHWAYS': { origin: 1 } }],
    ['no TTL', { VERSION: 1, 'PATHWAY-PRIORITY': ['origin'], 'JALSA-PATHWAYS': {} }],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    expect(readSteeringManifest(value)).toBeNull();
  });
});

describe('mirrorSettingsOf', () => {
  const settings = MirrorSettings.parse({ mirrors: [{ id: 'eu-1', baseUrl: 'https://mirror.example' }], priority: ['eu-1', 'origin'] });
  const served = (mirrors: Array<{ id: string; baseUrl: string }>, priority: string[]) =>
    SteeringManifestResponse.parse(JSON.parse(JSON.stringify(steeringManifest('rally', mirrors, priority))));

  it('gives back the settings a served manifest was made from', () => {
    expect(mirrorSettingsOf(served(settings.mirrors, settings.priority))).toEqual(settings);
  });

  it('gives nothing for a manifest whose pathways are not valid settings', () => {
    expect(mirrorSettingsOf(served([{ id: 'eu-1', baseUrl: 'javascript:alert(1)' }], ['eu-1']))).toBeUndefined();
    expect(mirrorSettingsOf(served(settings.mirrors, ['eu-2']))).toBeUndefined();
  });
});
