import { describe, expect, it } from 'vitest';
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
    expect(describeUpload({ sentBytes: 3 * 1024 * 1024, totalBytes: 12 * 1024 * 1024 })).toBe('Uploading… 25 % of 12 MB');
    expect(describeUpload({ sentBytes: 0, totalBytes: 2.5 * 1024 * 1024 })).toBe('Uploading… 0 % of 2.5 MB');
    expect(describeUpload({ sentBytes: 10, totalBytes: 10 })).toMatch(/^Uploaded\. Checking the recording/);
  });
});
