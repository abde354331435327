import os from 'node:os';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { MANIFEST_NAME, StorageLayout, hlsContentType, isJobId, isSegmentName } from '@stream-server/storage';

const ID = '3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';

describe('isJobId', () => {
  it.each([
    ID,
    '00000000-0000-4000-8000-000000000000',
    'ffffffff-ffff-4fff-bfff-ffffffffffff',
    '123e4567-e89b-42d3-a456-426614174000',
  ])('accepts %s', (id) => {
    expect(isJobId(id)).toBe(true);
  });

  it('accepts what crypto.randomUUID makes', () => {
    for (let i = 0; i < 20; i++) expect(isJobId(randomUUID())).toBe(true);
  });

  it.each([
    ['upper-case', ID.toUpperCase()],
    ['braces', `{${ID}}`],
    ['urn prefix', `urn:uuid:${ID}`],
    ['too short', ID.slice(0, -1)],
    ['too long', `${ID}0`],
    ['no dashes', ID.replace(/-/g, '')],
    ['path chars', `../${ID}`],
    ['trailing slash', `${ID}/`],
    ['trailing newline', `${ID}\n`],
    ['leading space', ` ${ID}`],
    ['non-hex', 'g'.repeat(8) + ID.slice(8)],
    ['empty', ''],
    ['traversal', '..'],
  ])('rejects %s', (_name, id) => {
    expect(isJobId(id)).toBe(false);
  });
});

describe('isSegmentName', () => {
  it.each(['segment_00001.ts', 'segment_00001.m4s', 'init.mp4', 'segment_99999.ts', 'segment_123456789.m4s'])(
    'accepts %s',
    (name) => {
      expect(isSegmentName(name)).toBe(true);
    },
  );

  it.each([
    '../index.m3u8',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e',
    'segment_00001.ts/../../x',
    'segment_00001.ts\u0000.txt',
    'segment_00001.TS',
    '..\\segment_00001.ts',
    'segment_1.ts',
    'index.m3u8',
    '/etc/passwd',
    '',
    '..',
    '.',
    'segment_00001.ts\n',
    'segment_00001.mp4',
    'segment_00001.m4s.ts.bak',
    'segment_0000１.ts',
    'init.mp4/',
    './init.mp4',
    'INIT.MP4',
    'segment_0000000001.ts',
  ])('rejects %j', (name) => {
    expect(isSegmentName(name)).toBe(false);
  });
});

describe('hlsContentType', () => {
  it.each<[string, string | undefined]>([
    ['index.m3u8', 'application/vnd.apple.mpegurl'],
    ['segment_00001.ts', 'video/mp2t'],
    ['segment_00001.m4s', 'video/mp4'],
    ['init.mp4', 'video/mp4'],
    ['notes.txt', undefined],
    ['', undefined],
  ])('%j → %p', (name, type) => {
    expect(hlsContentType(name)).toBe(type);
  });
});

describe('StorageLayout', () => {
  const root = path.join(os.tmpdir(), 'stream-layout-test');
  const layout = new StorageLayout(root);

  /** `file` is strictly below `dir`. */
  function isInside(dir: string, file: string): boolean {
    const rel = path.relative(dir, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  it('places its three directories under the root', () => {
    expect(layout.uploadsDir).toBe(path.join(root, 'uploads'));
    expect(layout.tmpDir).toBe(path.join(root, 'tmp'));
    expect(layout.hlsDir).toBe(path.join(root, 'hls'));
  });

  it('builds every path under the root', () => {
    expect(layout.uploadPath(ID)).toBe(path.join(root, 'uploads', ID));
    expect(layout.jobOutputDir(ID)).toBe(path.join(root, 'hls', ID));
    expect(layout.manifestPath(ID)).toBe(path.join(root, 'hls', ID, 'index.m3u8'));
    expect(layout.segmentPath(ID, 'segment_00001.ts')).toBe(path.join(root, 'hls', ID, 'segment_00001.ts'));
    expect(layout.segmentPath(ID, 'init.mp4')).toBe(path.join(root, 'hls', ID, 'init.mp4'));
    expect(layout.tmpPrefix(ID)).toBe(path.join(root, 'tmp', `${ID}.`));
    for (const p of [
      layout.uploadPath(ID),
      layout.jobOutputDir(ID),
      layout.manifestPath(ID),
      layout.segmentPath(ID, 'segment_00002.m4s'),
      layout.tmpPrefix(ID),
    ]) {
      expect(isInside(root, p)).toBe(true);
    }
    expect(MANIFEST_NAME).toBe('index.m3u8');
  });

  it.each(['../x', '..', '', ID.toUpperCase(), `${ID}/..`, '/etc/passwd', `../../${ID}`])('refuses job id %j', (id) => {
    expect(() => layout.uploadPath(id)).toThrow();
    expect(() => layout.jobOutputDir(id)).toThrow();
    expect(() => layout.manifestPath(id)).toThrow();
    expect(() => layout.segmentPath(id, 'segment_00001.ts')).toThrow();
    expect(() => layout.tmpPrefix(id)).toThrow();
  });

  it.each(['../index.m3u8', 'index.m3u8', '../../../etc/passwd', 'segment_1.ts', '', '/etc/passwd'])(
    'refuses segment name %j',
    (segment) => {
      expect(() => layout.segmentPath(ID, segment)).toThrow();
    },
  );

  it('isUploadPath is true only for uploads/<uuid>', () => {
    expect(layout.isUploadPath(path.join(root, 'uploads', ID))).toBe(true);
    expect(layout.isUploadPath(layout.uploadPath(ID))).toBe(true);

    expect(layout.isUploadPath(path.join(root, 'uploads', 'not-a-uuid'))).toBe(false);
    expect(layout.isUploadPath(path.join(root, 'uploads', ID, 'x'))).toBe(false);
    expect(layout.isUploadPath(path.join(root, 'uploads', ID.toUpperCase()))).toBe(false);
    expect(layout.isUploadPath(path.join(root, 'hls', ID))).toBe(false);
    expect(layout.isUploadPath(path.join(root, 'tmp', ID))).toBe(false);
    expect(layout.isUploadPath(path.join(root, ID))).toBe(false);
    expect(layout.isUploadPath(path.join(os.tmpdir(), 'elsewhere', 'uploads', ID))).toBe(false);
    expect(layout.isUploadPath(`${root}/uploads/../uploads/${ID}`)).toBe(false);
    expect(layout.isUploadPath(`${root}/uploads/../../${ID}`)).toBe(false);
    expect(layout.isUploadPath(path.join(root, 'uploads'))).toBe(false);
    expect(layout.isUploadPath(ID)).toBe(false);
  });

  it('normalises a root given with a trailing slash', () => {
    const slashed = new StorageLayout(`${root}${path.sep}`);
    expect(slashed.uploadPath(ID)).toBe(path.join(root, 'uploads', ID));
    expect(slashed.isUploadPath(path.join(root, 'uploads', ID))).toBe(true);
  });
});
