import { describe, expect, it } from 'vitest';
import { en, ur } from '../../../../client/src/i18n/messages';

const studioEn = en.studio;
const studioUr = ur.studio;
import { describeUpload, uploadPercent } from '../../../../client/src/studio/uploadProgress';

describe('upload progress', () => {
  it('counts whole percent and keeps 100 for when every byte has left', () => {
    expect(uploadPercent({ sentBytes: 0, totalBytes: 1000 })).toBe(0);
    expect(uploadPercent({ sentBytes: 425, totalBytes: 1000 })).toBe(42);
    expect(uploadPercent({ sentBytes: 999, totalBytes: 1000 })).toBe(99);
    expect(uploadPercent({ sentBytes: 1000, totalBytes: 1000 })).toBe(100);
    expect(uploadPercent({ sentBytes: 0, totalBytes: 0 })).toBe(100);
  });

  it('tells the organizer how far the upload is, then that the server is starting the broadcast', () => {
    expect(describeUpload({ sentBytes: 3 * 1024 * 1024, totalBytes: 12 * 1024 * 1024 }, studioEn)).toBe('Uploading… 25 % of 12 MB');
    expect(describeUpload({ sentBytes: 0, totalBytes: 2.5 * 1024 * 1024 }, studioEn)).toBe('Uploading… 0 % of 2.5 MB');
    expect(describeUpload({ sentBytes: 10, totalBytes: 10 }, studioEn)).toMatch(/^Uploaded\. Checking the recording/);
  });

  it('says it in Urdu for a studio in Urdu', () => {
    expect(describeUpload({ sentBytes: 3 * 1024 * 1024, totalBytes: 12 * 1024 * 1024 }, studioUr)).toBe('اپ لوڈ ہو رہی ہے… 12 MB میں سے 25 %');
  });
});
