/**
 * TranscodeQueue.get reads a job, its state and its cancel marker in one
 * script call; it must say exactly what BullMQ's own getJob + getState say,
 * in every state, against a real Redis.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { createRedis, QUEUE_NAMES, snapshotOf, TranscodeQueue, type TranscodeJobData } from '@stream-server/jobs';

const prefix = `test-job-read-${randomUUID().slice(0, 8)}`;
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const producer = createRedis(redisUrl, 'producer');
const workerRedis = createRedis(redisUrl, 'worker');
const queue = new TranscodeQueue(producer, { prefix, attempts: 1, retentionDays: 1 });

afterAll(async () => {
  await queue.obliterate();
  await queue.close();
  await producer.quit();
  await workerRedis.quit();
});

function payload(label: string): TranscodeJobData {
  return {
    version: 1,
    jobId: randomUUID(),
    trackId: label,
    uploadId: randomUUID(),
    demuxer: 'wav',
    source: { codec: 'pcm_s16le', sampleRate: 44_100, channels: 2, bitsPerSample: 16, durationSeconds: 1, bitrate: null },
    plan: { codec: 'aac', profile: 'high', bitrate: 256_000, sampleRate: 44_100, channels: 2, bitDepth: null, container: 'mpegts' },
    priority: 'normal',
    submittedAt: new Date().toISOString(),
  };
}

/** What the straightforward BullMQ calls say (the read path before the script). */
async function viaBullmq(jobId: string) {
  const job = await queue.queue.getJob(jobId);
  if (!job) return null;
  return snapshotOf(job, await job.getState(), null);
}

it('matches getJob + getState for queued, completed, failed and unknown jobs', async () => {
  const waiting = payload('waiting');
  const done = payload('done');
  const broken = payload('broken');
  await queue.add(done);
  await queue.add(broken);
  const worker = new Worker(
    QUEUE_NAMES.transcode,
    async (job) => {
      await job.updateProgress(42);
      if (job.data.trackId === 'broken') throw new Error('boom');
      return { segments: 3, outputDurationSeconds: 18 };
    },
    { connection: workerRedis, prefix },
  );
  worker.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const counts = await queue.queue.getJobCounts('completed', 'failed');
    if ((counts['completed'] ?? 0) + (counts['failed'] ?? 0) >= 2) break;
    if (Date.now() > deadline) throw new Error('jobs did not finish');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await worker.close();
  await queue.add(waiting); // no worker now: stays queued

  for (const data of [waiting, done, broken]) {
    const fast = await queue.get(data.jobId);
    expect(fast).toEqual(await viaBullmq(data.jobId));
  }
  expect((await queue.get(done.jobId))?.state).toBe('completed');
  expect((await queue.get(done.jobId))?.result).toEqual({ segments: 3, outputDurationSeconds: 18 });
  expect((await queue.get(broken.jobId))?.failedReason).toBe('boom');
  expect(['waiting', 'prioritized']).toContain((await queue.get(waiting.jobId))?.state);
  expect(await queue.get(randomUUID())).toBeNull();
});

it('reads a cancelled job, before and after it left the queue', async () => {
  const data = payload('cancelled');
  await queue.add(data);
  const outcome = await queue.cancel(data.jobId, 1_700_000_000_000);
  expect(outcome.kind).toBe('cancelled');
  const read = await queue.get(data.jobId);
  expect(read?.cancelledAt).toBe(1_700_000_000_000);
  expect(read?.data).toEqual(data);
});
