/**
 * A fleet as the README runs it: `start:api` and two `start:worker`
 * processes sharing one STORAGE_DIR and Redis. A five-minute track shows
 * progress moving in `GET /job` while it runs; a batch all completes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import { FleetRegistry } from '@stream-server/fleet';
import { decodePlaylist, makeTrack } from '../support/media';
import { ENTRY, freePort, startProcess, waitFor, type RunningProcess } from '../support/processes';
import { readJson, submit, waitForJob } from '../support/stack';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `test-fleet-${randomUUID().slice(0, 8)}`;
let dir: string;
let baseUrl: string;
const processes: RunningProcess[] = [];

beforeAll(async () => {
  for (const entry of [ENTRY.api, ENTRY.worker]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" (npm test does) first`);
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleet-'));
  const port = await freePort();
  const env = { REDIS_URL: redisUrl, STORAGE_DIR: path.join(dir, 'data'), QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' };
  processes.push(startProcess(ENTRY.worker, env), startProcess(ENTRY.worker, env));
  processes.push(startProcess(ENTRY.api, { ...env, PORT: String(port), HOST: '127.0.0.1' }));
  baseUrl = `http://127.0.0.1:${port}`;
  const redis = createRedis({ kind: 'single', url: redisUrl }, 'worker');
  try {
    const fleet = new FleetRegistry(redis, prefix);
    await waitFor(
      async () => ((await fleet.online()).length === 2 ? true : undefined),
      30_000,
      () => 'two workers online',
    );
  } finally {
    await redis.quit();
  }
  await waitFor(
    async () => ((await fetch(`${baseUrl}/health`).catch(() => null))?.status === 200 ? true : undefined),
    30_000,
    () => `the API (output: ${processes[2]?.output()})`,
  );
});

afterAll(async () => {
  for (const proc of processes) proc.child.kill('SIGTERM');
  const codes = await Promise.all(processes.map((proc) => proc.exited));
  const redis = createRedis({ kind: 'single', url: redisUrl }, 'worker');
  const queue = new TranscodeQueue(redis, { prefix, attempts: 1, retentionDays: 1 });
  await queue.obliterate();
  await new FleetRegistry(redis, prefix).clear();
  await queue.close();
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
  expect(codes).toEqual([0, 0, 0]);
});

it('shows progress moving while a long track is transcoded', async () => {
  const track = await makeTrack(dir, 'long', { seconds: 300 });
  const upload = await submit(baseUrl, new Blob([await readFile(track)]), 'long.wav', {
    codec: 'mp3',
    quality_profile: 'high',
  });
  expect(upload.status).toBe(200);
  const jobId = String(upload.body['job_id']);

  const seen: number[] = [];
  const deadline = Date.now() + 90_000;
  let status = 'Pending';
  while (status === 'Pending' || status === 'Processing') {
    if (Date.now() > deadline) throw new Error('job did not finish in 90 s');
    const body = await readJson(await fetch(`${baseUrl}/v1/stream/job/${jobId}`));
    status = String(body['status']);
    if (status === 'Processing') seen.push(Number(body['progress']));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(status).toBe('Completed');
  const intermediate = [...new Set(seen.filter((p) => p > 0 && p < 100))];
  expect(intermediate.length).toBeGreaterThanOrEqual(2);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));

  const decoded = await decodePlaylist(`${baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - 300)).toBeLessThanOrEqual(0.1);
}, 120_000);

it('completes a batch spread over the workers', async () => {
  const clip = new Blob([await readFile(await makeTrack(dir, 'clip', { seconds: 5 }))]);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const upload = await submit(baseUrl, clip, `clip${i}.wav`, { quality_profile: 'low' });
    expect(upload.status).toBe(200);
    ids.push(String(upload.body['job_id']));
  }
  const jobs = await Promise.all(ids.map((id) => waitForJob(baseUrl, id)));
  expect(jobs.map((job) => job.status)).toEqual(Array(6).fill('Completed'));
});
