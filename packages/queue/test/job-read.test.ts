/**
 * The adapter's contract with BullMQ. TranscodeQueue.get reads a job, its
 * state and its cancel marker in one script over BullMQ's keys and parses
 * its job hash; this drives jobs through every state BullMQ has and holds
 * that read to BullMQ's own Job.fromId + getState, so a BullMQ upgrade
 * that changes its keys or hash fails here.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { QUEUE_NAMES, type TranscodeJobData, type TranscodeJobResult } from '@stream-server/jobs';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import { buildSnapshot } from '../src/job-snapshot-builder';
import { fieldsOfJob } from '../src/transcode-queue';
import { testPayload } from './payloads';

const prefix = `test-job-read-${randomUUID().slice(0, 8)}`;
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const producer = createRedis({ kind: 'single', url: redisUrl }, 'producer');
const workerRedis = createRedis({ kind: 'single', url: redisUrl }, 'worker');
const queue = new TranscodeQueue(producer, { prefix, attempts: 1, retentionDays: 1 });
/** BullMQ's own view of the same queue. */
const bull = new Queue<TranscodeJobData, TranscodeJobResult, 'transcode'>(QUEUE_NAMES.transcode, {
  connection: workerRedis,
  prefix,
});

afterAll(async () => {
  await queue.obliterate();
  await queue.close();
  await bull.close();
  await producer.quit();
  await workerRedis.quit();
});

function payload(label: string): TranscodeJobData {
  return testPayload(label);
}

/** What BullMQ's public API says of the job. */
async function viaBullmq(jobId: string) {
  const job = await Job.fromId<TranscodeJobData, TranscodeJobResult, 'transcode'>(bull, jobId);
  if (!job) return null;
  return buildSnapshot(fieldsOfJob(job), await job.getState(), null);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('reads every state exactly as BullMQ does', async () => {
  const done = payload('done');
  const broken = payload('broken');
  const running = payload('running');
  await queue.add(done);
  await queue.add(broken);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const worker = new Worker<TranscodeJobData, TranscodeJobResult, 'transcode'>(
    QUEUE_NAMES.transcode,
    async (job) => {
      await job.updateProgress(42);
      if (job.data.trackId === 'broken') throw new Error('boom');
      if (job.data.trackId === 'running') await held;
      return { segments: 3, outputDurationSeconds: 18 };
    },
    { connection: workerRedis, prefix },
  );
  worker.on('error', () => undefined);
  await until(async () => {
    const counts = await bull.getJobCounts('completed', 'failed');
    return (counts['completed'] ?? 0) + (counts['failed'] ?? 0) >= 2;
  }, 'two finished jobs');
  await queue.add(running);
  await until(async () => (await queue.get(running.jobId))?.state === 'active', 'an active job');
  // Taken by no worker from here on (the worker is busy with `running`).
  const prioritized = payload('prioritized');
  await queue.add(prioritized);
  const waiting = payload('waiting');
  await bull.add('transcode', waiting, { jobId: waiting.jobId });
  const delayed = payload('delayed');
  await bull.add('transcode', delayed, { jobId: delayed.jobId, delay: 60_000 });
  const removed = payload('removed');
  await queue.add(removed);
  await (await Job.fromId(bull, removed.jobId))?.remove();

  const expected = {
    [done.jobId]: 'completed',
    [broken.jobId]: 'failed',
    [running.jobId]: 'active',
    [prioritized.jobId]: 'prioritized',
    [waiting.jobId]: 'waiting',
    [delayed.jobId]: 'delayed',
  };
  try {
    for (const [jobId, state] of Object.entries(expected)) {
      const ours = await queue.get(jobId);
      expect(ours?.state).toBe(state);
      expect(ours).toEqual(await viaBullmq(jobId));
    }
    expect(await queue.get(removed.jobId)).toBeNull();
    expect(await viaBullmq(removed.jobId)).toBeNull();
    expect(await queue.get(randomUUID())).toBeNull();
    expect((await queue.get(done.jobId))?.result).toEqual({ segments: 3, outputDurationSeconds: 18 });
    expect((await queue.get(done.jobId))?.attemptsMade).toBe(1);
    expect((await queue.get(broken.jobId))?.failedReason).toBe('boom');
    expect((await queue.get(running.jobId))?.progress).toBe(42);
  } finally {
    release();
    await worker.close();
  }
});

it('reads a cancelled job, before and after it left the queue', async () => {
  const data = payload('cancelled');
  await queue.add(data);
  const outcome = await queue.cancel(data.jobId, 1_700_000_000_000);
  expect(outcome.kind).toBe('cancelled');
  const read = await queue.get(data.jobId);
  expect(read?.cancelledAt).toBe(1_700_000_000_000);
  expect(read?.data).toEqual(data);
  expect(await viaBullmq(data.jobId)).toBeNull();
});
