/**
 * The s3 driver against a real S3 HTTP server (s3rver): the same relative
 * names as on disk, the publish order (root playlist last), staging and
 * publishing a ladder inside the bucket, sweeps' listings, the source
 * fetched into a work dir, multipart uploads, and what a dead bucket does.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createStorage, type MediaStorage } from '@stream-server/storage';
import { startTestS3, type TestS3 } from '../support/s3-server';

const JOB = '11111111-1111-4111-8111-111111111111';
const UPLOAD = '22222222-2222-4222-8222-222222222222';
let s3: TestS3;
let dirs: string[] = [];

beforeEach(async () => {
  s3 = await startTestS3();
});

afterEach(async () => {
  await s3.stop().catch(() => undefined);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

/** A storage on its own scratch dir, as one node of a fleet. */
async function node(prefix = ''): Promise<MediaStorage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'object-storage-'));
  dirs.push(dir);
  const storage = await createStorage(dir, {
    driver: 's3',
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  });
  await storage.ensureLayout();
  return storage;
}

async function writeOutput(workDir: string): Promise<void> {
  await mkdir(path.join(workDir, 'low'), { recursive: true });
  await writeFile(path.join(workDir, 'low', 'segment_00001.ts'), 'low segment');
  await writeFile(path.join(workDir, 'low', 'index.m3u8'), '#EXTM3U\n#low\n');
  await writeFile(path.join(workDir, 'waveform.json'), '{}');
  await writeFile(path.join(workDir, 'live.m3u8'), '#EXTM3U\n#live\n');
  await writeFile(path.join(workDir, 'index.m3u8'), '#EXTM3U\n#root\n');
}

it('publishes a work dir under hls/<job>/ with the root playlist last, once', async () => {
  const a = await node('media/');
  const b = await node('media/');
  const workDir = await a.createWorkDir(JOB, 1);
  await writeOutput(workDir);
  expect(await b.isPublished(JOB)).toBe(false);
  expect(await a.publish(workDir, JOB)).toBe('published');

  expect(await s3.keys()).toEqual(
    ['index.m3u8', 'live.m3u8', 'low/index.m3u8', 'low/segment_00001.ts', 'waveform.json'].map(
      (name) => `media/hls/${JOB}/${name}`,
    ),
  );
  // The root playlist went in after everything it names.
  const times = new Map<string, number>();
  for (const name of ['low/segment_00001.ts', 'low/index.m3u8', 'live.m3u8', 'index.m3u8']) {
    times.set(name, (await b.modifiedMs(path.join(b.layout.jobOutputDir(JOB), name))) ?? Number.NaN);
  }
  expect(Math.max(...times.values())).toBe(times.get('index.m3u8'));
  // Another node sees it; the work dir is gone from the scratch disk.
  expect(await b.isPublished(JOB)).toBe(true);
  expect(await b.readText(b.layout.manifestPath(JOB))).toBe('#EXTM3U\n#root\n');
  expect(await b.fileSize(path.join(b.layout.jobOutputDir(JOB), 'low', 'segment_00001.ts'))).toBe(11);
  expect(await readdir(a.layout.tmpDir)).toEqual([]);
  expect(await b.listNames(b.layout.hlsDir)).toEqual([JOB]);
  expect(await b.publishedAtMs(JOB)).toEqual(expect.any(Number));

  // A second publish of the same job (a retry after a crash) keeps the first.
  const again = await b.createWorkDir(JOB, 2);
  await writeOutput(again);
  await writeFile(path.join(again, 'index.m3u8'), '#EXTM3U\n#other\n');
  expect(await b.publish(again, JOB)).toBe('already-published');
  expect(await a.readText(a.layout.manifestPath(JOB))).toBe('#EXTM3U\n#root\n');

  await a.remove(a.layout.jobOutputDir(JOB));
  expect(await s3.keys()).toEqual([]);
  expect(await b.isPublished(JOB)).toBe(false);
});

it('stages ladder parts from two nodes and publishes the staging dir by server-side copies', async () => {
  const a = await node();
  const b = await node();
  for (const [storage, rung] of [
    [a, 'low'],
    [b, 'high'],
  ] as const) {
    const workDir = await storage.createWorkDir(JOB, 1, rung === 'low' ? 0 : 1);
    await mkdir(path.join(workDir, rung));
    await writeFile(path.join(workDir, rung, 'segment_00001.ts'), rung);
    await writeFile(path.join(workDir, rung, 'index.m3u8'), `#${rung}`);
    await storage.stage(path.join(workDir, rung), path.join(storage.layout.ladderStagingDir(JOB), rung));
  }
  const staging = a.layout.ladderStagingDir(JOB);
  expect(await a.exists(path.join(staging, 'high', 'index.m3u8'))).toBe(true);
  expect(await a.exists(path.join(staging, 'high'))).toBe(true);
  expect(await a.listNames(a.layout.tmpDir)).toContain(`${JOB}.parts`);
  await a.writeText(path.join(staging, 'index.m3u8'), '#master');

  expect(await b.publish(b.layout.ladderStagingDir(JOB), JOB)).toBe('published');
  expect(await s3.keys()).toEqual(
    ['high/index.m3u8', 'high/segment_00001.ts', 'index.m3u8', 'low/index.m3u8', 'low/segment_00001.ts'].map(
      (name) => `hls/${JOB}/${name}`,
    ),
  );
});

it('hands the upload over through the bucket: multipart in, fetched into a work dir', async () => {
  const api = await node();
  const worker = await node();
  const local = api.layout.uploadPath(UPLOAD);
  // Three 8 MiB parts and a bit: the multipart path.
  const bytes = Buffer.alloc(25 * 1024 * 1024 + 123, 7);
  await writeFile(local, bytes);
  await api.commitUpload(local);
  expect(await api.exists(local)).toBe(true);
  expect(await readdir(api.layout.uploadsDir)).toEqual([]);
  expect(await worker.listNames(worker.layout.uploadsDir)).toEqual([UPLOAD]);

  // A scratch copy an API left behind (it died before committing) is listed, with its own time, for the sweep.
  await writeFile(worker.layout.uploadPath(JOB), 'left behind');
  expect((await worker.listNames(worker.layout.uploadsDir)).sort()).toEqual([UPLOAD, JOB].sort());
  expect(await worker.modifiedMs(worker.layout.uploadPath(JOB))).toEqual(expect.any(Number));
  await worker.remove(worker.layout.uploadPath(JOB));
  expect(await worker.listNames(worker.layout.uploadsDir)).toEqual([UPLOAD]);

  const workDir = await worker.createWorkDir(JOB, 1);
  const input = await worker.fetchSource(worker.layout.uploadPath(UPLOAD), workDir);
  expect(input).toBe(path.join(workDir, 'source'));
  expect((await readFile(String(input))).equals(bytes)).toBe(true);
  expect(await worker.fetchSource(worker.layout.uploadPath(JOB), workDir)).toBeNull();
  // The copy goes before the work dir is published; the bucket's upload stays for its job.
  await worker.releaseSource(String(input), worker.layout.uploadPath(UPLOAD));
  expect(await readdir(workDir)).toEqual([]);
  expect(await worker.exists(worker.layout.uploadPath(UPLOAD))).toBe(true);
  await worker.remove(worker.layout.uploadPath(UPLOAD));
  expect(await s3.keys()).toEqual([]);
});

it('puts live files where every API reads them, and reads ranges and validators from the bucket', async () => {
  const worker = await node();
  const api = await node();
  const workDir = await worker.createWorkDir(JOB, 1);
  await writeFile(path.join(workDir, 'segment_00001.ts'), '0123456789');
  await worker.linkLive(path.join(workDir, 'segment_00001.ts'), JOB, 'segment_00001.ts');
  await worker.writeLive(JOB, 'live.m3u8', '#EXTM3U\n');
  const segment = path.join(api.layout.jobLiveDir(JOB), 'segment_00001.ts');
  expect(await api.readText(path.join(api.layout.jobLiveDir(JOB), 'live.m3u8'))).toBe('#EXTM3U\n');
  expect(await api.listNames(api.layout.liveDir)).toEqual([JOB]);

  const remote = api.remote;
  if (remote === null) throw new Error('the s3 driver reads from the bucket');
  const part = await remote.read(segment, { range: 'bytes=2-4' });
  expect(part).toMatchObject({ outcome: 'partial', length: 3, contentRange: 'bytes 2-4/10' });
  const whole = await remote.read(segment, {});
  if (whole.outcome !== 'whole') throw new Error(`read: ${whole.outcome}`);
  whole.body.resume();
  expect(await remote.read(segment, { ifNoneMatch: whole.etag })).toMatchObject({ outcome: 'not-modified' });
  expect(await remote.read(segment, { range: 'bytes=50-60' })).toEqual({ outcome: 'unsatisfiable-range' });
  expect(await remote.read(`${segment}x`, {})).toEqual({ outcome: 'missing' });
  expect(remote.objectKey(segment)).toBe(`live/${JOB}/segment_00001.ts`);
});

it('reports a bucket that does not answer as unwritable, and its errors as errors', async () => {
  const storage = await node();
  expect(await storage.health()).toBe('ok');
  await s3.stop();
  expect(await storage.health()).toBe('unwritable');
  await expect(storage.isPublished(JOB)).rejects.toThrow();
  storage.close?.();
});
