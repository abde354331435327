import { QUALITY_PROFILES } from '@stream-server/profiles';
import { DOWNLOAD_NAME, isRenditionName, StorageLayout, WAVEFORM_NAME } from '@stream-server/storage';

const ID = '3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';
const layout = new StorageLayout('/srv/media');

describe('rendition folders', () => {
  it('are exactly the quality profile names', () => {
    for (const profile of QUALITY_PROFILES) expect(isRenditionName(profile)).toBe(true);
    for (const bad of ['', '.', '..', 'LOW', 'low/', 'low\u0000', ' low', 'hi-res', '../low', 'low%2f', 'ultra']) {
      expect(isRenditionName(bad)).toBe(false);
    }
  });

  it('map to paths inside the job dir, and refuse anything else', () => {
    expect(layout.renditionManifestPath(ID, 'low')).toBe(`/srv/media/hls/${ID}/low/index.m3u8`);
    expect(layout.renditionSegmentPath(ID, 'hi_res', 'segment_00002.m4s')).toBe(
      `/srv/media/hls/${ID}/hi_res/segment_00002.m4s`,
    );
    expect(() => layout.renditionManifestPath(ID, '..')).toThrow();
    expect(() => layout.renditionSegmentPath(ID, 'low', '../index.m3u8')).toThrow();
    expect(() => layout.renditionSegmentPath('../x', 'low', 'segment_00001.ts')).toThrow();
  });

  it('names the waveform and download files', () => {
    expect(layout.waveformPath(ID)).toBe(`/srv/media/hls/${ID}/${WAVEFORM_NAME}`);
    expect(layout.downloadPath(ID)).toBe(`/srv/media/hls/${ID}/${DOWNLOAD_NAME}`);
    expect([WAVEFORM_NAME, DOWNLOAD_NAME]).toEqual(['waveform.json', 'download.m4a']);
  });
});
