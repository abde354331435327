/**
 * What a 200 means when Redis replicates asynchronously: with
 * REDIS_WAIT_REPLICAS a submit is acknowledged only once a replica holds
 * its job, and a master that cannot get it there answers 503 and keeps
 * nothing; a master with min-replicas-to-write set refuses with a 503 that
 * says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { redisCli, startRedisSentinel, type TestRedisSentinel } from '../support/redis-topology';
import { startTestRedis, type TestRedis } from '../support/redis-server';
import { readJson, startStack, submit, waitForJob } from '../support/stack';

let dir: string;
let track: Blob;
let lone: TestRedis;
let pair: TestRedisSentinel;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'replication-'));
  track = new Blob([await readFile(await makeTrack(dir, 'track', { seconds: 3 }))]);
  lone = await startTestRedis();
  pair = await startRedisSentinel();
}, 60_000);

afterAll(async () => {
  await lone?.destroy();
  await pair?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('REDIS_WAIT_REPLICAS: a job a replica holds is acknowledged and completes', async () => {
  const stack = await startStack('wait-ok', {
    env: { REDIS_URL: `redis://127.0.0.1:${pair.master.port}`, REDIS_WAIT_REPLICAS: '1' },
  });
  try {
    const upload = await submit(stack.baseUrl, track, 'track.wav');
    expect(upload.status).toBe(200);
    // The replica already holds the job it was told about.
    const key = `${stack.config.queuePrefix}:transcode:${String(upload.body['job_id'])}`;
    expect(await redisCli(pair.replica.port, 'exists', key)).toBe('1');
    expect((await waitForJob(stack.baseUrl, String(upload.body['job_id']))).status).toBe('Completed');
  } finally {
    await stack.stop();
  }
});

it('REDIS_WAIT_REPLICAS: without a replica in time, 503 and nothing queued or kept', async () => {
  const stack = await startStack('wait-none', { workers: 0, env: { REDIS_URL: lone.url, REDIS_WAIT_REPLICAS: '1' } });
  try {
    const upload = await submit(stack.baseUrl, track, 'track.wav');
    expect(upload.status).toBe(503);
    expect(upload.body).toEqual({ error: expect.stringContaining('replica'), code: 'QUEUE_UNAVAILABLE' });
    const jobs = await readJson(await fetch(`${stack.baseUrl}/v1/stream/jobs?state=waiting`));
    expect(jobs['jobs']).toEqual([]);
    expect(await stack.settledLeftovers()).toEqual([]);
  } finally {
    await stack.stop();
  }
});

it('min-replicas-to-write on the master: 503 that says why', async () => {
  const port = new URL(lone.url).port;
  const stack = await startStack('noreplicas', { workers: 0, env: { REDIS_URL: lone.url } });
  try {
    await redisCli(Number(port), 'config', 'set', 'min-replicas-to-write', '1');
    const upload = await submit(stack.baseUrl, track, 'track.wav');
    expect(upload.status).toBe(503);
    expect(upload.body).toEqual({ error: expect.stringContaining('replicas'), code: 'QUEUE_UNAVAILABLE' });
    expect(await stack.settledLeftovers()).toEqual([]);
  } finally {
    await redisCli(Number(port), 'config', 'set', 'min-replicas-to-write', '0');
    await stack.stop();
  }
});
