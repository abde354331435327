/**
 * The orphan sweep and retention with the s3 driver, against a real S3
 * HTTP server (s3rver): what no job owns is removed from the bucket, what
 * a job owns or runs is kept. The sweep is run with a clock moved ahead
 * (objects cannot be back-dated on a real server).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@stream-server/logger';
import { createStorage, type MediaStorage } from '@stream-server/storage';
import { startTestS3, type TestS3 } from '../../../tests/support/s3-server';
import { OrphanSweeper } from '../src/orphan-sweeper';

const OWNED = '11111111-1111-4111-8111-111111111111';
const ORPHAN = '22222222-2222-4222-8222-222222222222';
const EXPIRED_JOB = '33333333-3333-4333-8333-333333333333';
const DEAD_LADDER = '44444444-4444-4444-8444-444444444444';
const RUNNING = '55555555-5555-4555-8555-555555555555';
const HOUR = 3_600_000;
let s3: TestS3;
let dir: string;
let storage: MediaStorage;

beforeEach(async () => {
  s3 = await startTestS3();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sweep-s3-'));
  storage = await createStorage(dir, {
    driver: 's3',
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix: '',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  });
  await storage.ensureLayout();
});

afterEach(async () => {
  storage.close?.();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

async function commitUpload(id: string): Promise<void> {
  await writeFile(storage.layout.uploadPath(id), 'RIFF');
  await storage.commitUpload(storage.layout.uploadPath(id));
}

/** A rung staged by a part of `jobId`, or a live segment of it. */
async function stageRung(jobId: string): Promise<void> {
  const work = await storage.createWorkDir(jobId, 1, 0);
  await mkdir(path.join(work, 'low'));
  await writeFile(path.join(work, 'low', 'index.m3u8'), '#EXTM3U');
  await storage.stage(path.join(work, 'low'), path.join(storage.layout.ladderStagingDir(jobId), 'low'));
  await writeFile(path.join(work, 'segment_00001.ts'), 'ts');
  await storage.linkLive(path.join(work, 'segment_00001.ts'), jobId, 'low/segment_00001.ts');
  await storage.remove(work);
}

it('removes orphan uploads, dead ladders’ staging and live copies, and expired outputs from the bucket', async () => {
  await commitUpload(OWNED);
  await commitUpload(ORPHAN);
  const work = await storage.createWorkDir(EXPIRED_JOB, 1);
  await writeFile(path.join(work, 'index.m3u8'), '#EXTM3U');
  await writeFile(path.join(work, 'segment_00001.ts'), 'ts');
  await storage.publish(work, EXPIRED_JOB);
  await stageRung(DEAD_LADDER);
  await stageRung(RUNNING);

  const purged: string[] = [];
  const sweeper = new OrphanSweeper(
    storage,
    {
      uploadsInUse: async () => new Set([OWNED]),
      isRunning: async (jobId) => jobId === RUNNING,
      markPurged: async (jobId) => purged.push(jobId),
    },
    { graceSeconds: 3600, keepSource: false, outputRetentionDays: 1 },
    silentLogger,
  );

  // Within the grace period and the retention, nothing is touched.
  expect(await sweeper.sweep(Date.now() + HOUR / 2)).toEqual({ uploads: 0, dirs: 2, outputs: 0 });
  const kept = await s3.keys();
  expect(kept).toContain(`uploads/${ORPHAN}`);
  expect(kept).toContain(`hls/${EXPIRED_JOB}/index.m3u8`);
  // The dead ladder's staging and live copy go at once (no job runs them); the running one's stay.
  expect(kept.filter((key) => key.includes(DEAD_LADDER))).toEqual([]);
  expect(kept.filter((key) => key.includes(RUNNING))).toEqual([
    `live/${RUNNING}/low/segment_00001.ts`,
    `tmp/${RUNNING}.parts/low/index.m3u8`,
  ]);

  expect(await sweeper.sweep(Date.now() + 25 * HOUR)).toEqual({ uploads: 1, dirs: 0, outputs: 1 });
  expect(purged).toEqual([EXPIRED_JOB]);
  expect((await s3.keys()).filter((key) => !key.includes(RUNNING))).toEqual([`uploads/${OWNED}`]);
});
