/**
 * tus with STORAGE_DRIVER=s3: @tus/s3-store needs S3's ListParts, which the
 * tests' S3 server (s3rver) does not serve, so unfinished uploads stay in
 * the API's scratch STORAGE_DIR/tus (a resume must reach the same API
 * instance). What this covers: a finished upload goes into the bucket
 * like a multipart one, nothing stays on scratch, and the job completes
 * on a worker that reads it from the bucket.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodePlaylist, makeTrack } from '../support/media';
import { startTestS3, type TestS3 } from '../support/s3-server';
import { readJson, startStack, waitForJob, type TestStack } from '../support/stack';

const TUS = { 'Tus-Resumable': '1.0.0' };
let dir: string;
let s3: TestS3;
let stack: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tus-s3-'));
  s3 = await startTestS3();
  stack = await startStack('tus-s3', { workers: 1, env: s3.env });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('resumes on the same instance and hands the finished upload over through the bucket', async () => {
  const bytes = await readFile(await makeTrack(dir, 'tone', { seconds: 6 }));
  const created = await fetch(`${stack.baseUrl}/v1/stream/uploads`, {
    method: 'POST',
    headers: {
      ...TUS,
      'Upload-Length': String(bytes.length),
      'Upload-Metadata': `filename ${Buffer.from('tone.wav').toString('base64')},codec ${Buffer.from('aac').toString('base64')}`,
    },
  });
  expect(created.status).toBe(201);
  const url = `${stack.baseUrl}${String(created.headers.get('location'))}`;
  const half = Math.floor(bytes.length / 2);
  const send = (offset: number, body: Uint8Array) =>
    fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      body,
    });
  expect((await send(0, bytes.subarray(0, half))).status).toBe(204);
  const offset = Number((await fetch(url, { method: 'HEAD', headers: TUS })).headers.get('upload-offset'));
  expect(offset).toBe(half);
  const last = await send(offset, bytes.subarray(offset));
  expect(last.status).toBe(200);
  const body = await readJson(last);
  expect(body).toMatchObject({ status: 'queued', message: 'Job submitted successfully' });
  const jobId = String(body['job_id']);

  // The API's scratch keeps no copy: the worker (s3 driver) reads the source from the bucket.
  expect(await readdir(path.join(stack.config.storageDir, 'uploads'))).toEqual([]);

  const done = await waitForJob(stack.baseUrl, jobId, 60_000);
  expect(done.status).toBe('Completed');
  const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - 6)).toBeLessThanOrEqual(0.1);
  expect((await s3.keys()).filter((key) => key.startsWith('uploads/'))).toEqual([]);
}, 120_000);
