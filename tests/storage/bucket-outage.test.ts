/**
 * A bucket outage on the worker's side is a retried attempt, never a job
 * marked Completed with files missing: the bucket is taken away (a TCP
 * relay in front of s3rver refuses and cuts connections) right after a
 * submit, so the worker cannot fetch the source; it comes back during the
 * retry's backoff and the job completes whole on a later attempt.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { decodePlaylist, makeTrack } from '../support/media';
import { startTestS3, type TestS3 } from '../support/s3-server';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';
import { waitFor } from '../support/processes';
import { silentLogger } from '@stream-server/logger';
import { createWorkerApp, type WorkerApp } from '@stream-server/worker';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';

let dir: string;
let s3: TestS3;
let relay: TcpRelay;
let stack: TestStack;
let worker: WorkerApp | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bucket-outage-'));
  s3 = await startTestS3();
  relay = await startTcpRelay(Number(new URL(s3.endpoint).port));
  // No worker yet: the job must wait until the bucket is gone.
  stack = await startStack('bucket-outage', { workers: 0, env: { ...s3.env, S3_ENDPOINT: relay.endpoint } });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
  await relay?.close().catch(() => undefined);
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function job(jobId: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`));
}

it('retries the attempt the outage broke and completes the job whole once the bucket is back', async () => {
  const track = new Blob([await readFile(await makeTrack(dir, 'tone', { seconds: 12 }))]);
  const upload = await submit(stack.baseUrl, track, 'tone.wav', { codec: 'aac' });
  expect(upload.status).toBe(200);
  const jobId = String(upload.body['job_id']);

  await relay.down();
  worker = createWorkerApp(stack.config, silentLogger);
  await worker.start();
  // The first attempt cannot fetch the source: it fails and waits to be retried.
  let seen: Record<string, unknown> = {};
  await waitFor(
    async () => {
      seen = await job(jobId);
      return Number(seen['attempts']) >= 1 ? true : undefined;
    },
    30_000,
    () => `a failed first attempt (job: ${JSON.stringify(seen)})`,
  );
  expect(seen['status']).not.toBe('Completed');
  expect(seen['status']).not.toMatch(/^Failed/);
  // Meanwhile the API says the storage is away, never a 500.
  const manifest = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(manifest.status).toBe(503);
  expect((await readJson(manifest))['code']).toBe('STORAGE_UNAVAILABLE');

  await relay.up();
  const done = await waitForJob(stack.baseUrl, jobId, 60_000);
  expect(done.status).toBe('Completed');
  expect(Number(done['attempts'])).toBeGreaterThanOrEqual(2);
  const playlist = parseMediaPlaylist(await (await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`)).text());
  const published = (await s3.keys()).filter((key) => key.startsWith(`hls/${jobId}/`));
  expect(published).toEqual(expect.arrayContaining(playlist.segments.map((name) => `hls/${jobId}/${name}`)));
  const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - 12)).toBeLessThanOrEqual(0.1);
}, 120_000);
