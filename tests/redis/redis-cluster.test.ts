/**
 * The service on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES): the
 * seed's workflow, a ladder (a BullMQ flow), a cancel, job events, queue
 * stats, metrics and rate limits, with every key of the deployment in the
 * one hash slot of `{QUEUE_PREFIX}`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodePlaylist, makeTrack } from '../support/media';
import { redisCli, startRedisCluster, type TestRedisCluster } from '../support/redis-topology';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let track: Blob;
let cluster: TestRedisCluster;
let stack: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'redis-cluster-'));
  track = new Blob([await readFile(await makeTrack(dir, 'track', { seconds: 8 }))]);
  cluster = await startRedisCluster(3);
  stack = await startStack('cluster', {
    workers: 2,
    env: { REDIS_CLUSTER_NODES: cluster.nodes, RATE_LIMIT_SUBMITS_PER_MINUTE: '8' },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('hash-tags the prefix', () => {
  expect(stack.config.queuePrefix).toMatch(/^\{test-cluster-[0-9a-f]{8}\}$/);
});

it("runs the seed's workflow: upload, Completed, a playlist that decodes", async () => {
  const upload = await submit(stack.baseUrl, track, 'track.wav', { codec: 'aac' });
  expect(upload.status).toBe(200);
  const job = await waitForJob(stack.baseUrl, String(upload.body['job_id']));
  expect(job.status).toBe('Completed');
  const decoded = await decodePlaylist(`${stack.baseUrl}${String(job.manifest_url)}`);
  expect(Math.abs(decoded.durationSeconds - 8)).toBeLessThanOrEqual(0.1);
});

it('runs a ladder as a flow of parts on both workers', async () => {
  const upload = await submit(stack.baseUrl, track, 'track.wav', { renditions: 'low,medium,high' });
  expect(upload.status).toBe(200);
  const job = await waitForJob(stack.baseUrl, String(upload.body['job_id']));
  expect(job.status).toBe('Completed');
  const master = await fetch(`${stack.baseUrl}${String(job.manifest_url)}`);
  expect(master.status).toBe(200);
  expect((await master.text()).match(/#EXT-X-STREAM-INF/g)).toHaveLength(3);
});

it('cancels, streams job events, and reads queue stats and metrics', async () => {
  // Urgent work ahead keeps this one waiting long enough to cancel.
  const busy = await Promise.all(
    [0, 1].map(() => submit(stack.baseUrl, track, 'busy.wav', { priority: 'urgent', renditions: 'low,high' })),
  );
  const upload = await submit(stack.baseUrl, track, 'track.wav', { priority: 'background' });
  const jobId = String(upload.body['job_id']);
  const events = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}/events`);
  expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const cancel = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
  expect(await readJson(cancel)).toMatchObject({ status: 'Cancelled' });
  const text = await events.text();
  expect(text).toContain('event: cancelled');

  const stats = await readJson(await fetch(`${stack.baseUrl}/v1/stream/queue/stats`));
  expect(stats).toMatchObject({ counts: { waiting: expect.any(Number), active: expect.any(Number) } });
  expect(stats['workers']).toHaveLength(2);
  const metrics = await fetch(`${stack.baseUrl}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toContain('stream_jobs_completed_total');
  for (const b of busy) await waitForJob(stack.baseUrl, String(b.body['job_id']));
});

it('counts submits against the rate limit', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const upload = await submit(stack.baseUrl, new Blob(['x']), 'x.wav');
    statuses.push(upload.status);
  }
  expect(statuses).toContain(429);
});

it('keeps every key of the deployment on the one node that owns its slot', async () => {
  const holding: number[] = [];
  for (const node of cluster.masters) {
    const keys = await redisCli(node.port, '--scan', '--pattern', `${stack.config.queuePrefix}*`);
    if (keys !== '') holding.push(node.port);
  }
  expect(holding).toHaveLength(1);
});
