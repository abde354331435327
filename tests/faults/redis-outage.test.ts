/**
 * Redis stopped and started again (AOF on) under a busy fleet: while it is
 * down the API answers 503 JSON and keeps no file for a refused upload;
 * afterwards API and worker reconnect by themselves and every job that
 * was queued or running before completes.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFleet } from '../support/fleet';
import { decodePlaylist, makeTrack } from '../support/media';
import { waitFor } from '../support/processes';
import { startTestRedis, type TestRedis } from '../support/redis-server';
import { readJson, submit, waitForJob } from '../support/stack';

let dir: string;
let redis: TestRedis;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'redis-outage-'));
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

it('survives a Redis restart with jobs queued and running', async () => {
  const fleet = await startFleet('outage', { redisUrl: redis.url, workers: 1, env: { JOB_LOCK_SECONDS: '3' } });
  try {
    const long = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: 240 }))]);
    const short = new Blob([await readFile(await makeTrack(dir, 'short', { seconds: 5 }))]);
    const jobs: Array<{ id: string; seconds: number }> = [];
    const first = await submit(fleet.baseUrl, long, 'long.wav', { codec: 'mp3' });
    jobs.push({ id: String(first.body['job_id']), seconds: 240 });
    for (let i = 0; i < 3; i++) {
      const next = await submit(fleet.baseUrl, short, `short${i}.wav`);
      jobs.push({ id: String(next.body['job_id']), seconds: 5 });
    }
    await waitFor(
      async () =>
        (await readJson(await fetch(`${fleet.baseUrl}/v1/stream/job/${jobs[0]?.id}`)))['status'] === 'Processing'
          ? true
          : undefined,
      20_000,
      () => 'the first job to run',
    );

    await redis.stop();

    const health = await fetch(`${fleet.baseUrl}/health`);
    expect(health.status).toBe(503);
    expect(await readJson(health)).toMatchObject({ status: 'unavailable', code: 'REDIS_UNAVAILABLE' });
    const uploadsBefore = (await readdir(path.join(fleet.storageDir, 'uploads'))).length;
    const refused = await submit(fleet.baseUrl, short, 'refused.wav');
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: expect.any(String), code: 'QUEUE_UNAVAILABLE' });
    expect((await readdir(path.join(fleet.storageDir, 'uploads'))).length).toBe(uploadsBefore);
    const read = await fetch(`${fleet.baseUrl}/v1/stream/job/${jobs[1]?.id}`);
    expect(read.status).toBe(503);
    expect(fleet.api.child.exitCode).toBeNull();
    expect(fleet.workers[0]?.child.exitCode).toBeNull();

    await redis.start();
    await waitFor(
      async () => ((await fetch(`${fleet.baseUrl}/health`)).status === 200 ? true : undefined),
      15_000,
      () => 'the API to reconnect',
    );

    for (const { id, seconds } of jobs) {
      const done = await waitForJob(fleet.baseUrl, id, 90_000);
      expect(done.status).toBe('Completed');
      const decoded = await decodePlaylist(`${fleet.baseUrl}/v1/stream/hls/${id}/index.m3u8`);
      expect(Math.abs(decoded.durationSeconds - seconds)).toBeLessThanOrEqual(0.1);
    }
    // And new work is accepted again.
    const after = await submit(fleet.baseUrl, short, 'after.wav');
    expect(after.status).toBe(200);
    expect((await waitForJob(fleet.baseUrl, String(after.body['job_id']))).status).toBe('Completed');
    expect(await fleet.leftovers()).toEqual([]);
  } finally {
    const codes = await fleet.stop();
    expect(codes).toEqual([0, 0]);
  }
}, 180_000);
