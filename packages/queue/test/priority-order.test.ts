/**
 * Queue order against a real Redis: urgent before normal before
 * background, first-in first-out within one priority.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { QUEUE_NAMES, type TranscodeJobData } from '@stream-server/jobs';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import type { Priority } from '@stream-server/profiles';
import { testPayload } from './payloads';

const prefix = `test-priority-${randomUUID().slice(0, 8)}`;
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const producer = createRedis({ kind: 'single', url: redisUrl }, 'producer');
const queue = new TranscodeQueue(producer, { prefix, attempts: 1, retentionDays: 1 });

afterAll(async () => {
  await queue.obliterate();
  await queue.close();
  await producer.quit();
});

function payload(priority: Priority, label: string): TranscodeJobData {
  return testPayload(label, priority);
}

it('runs urgent, then normal, then background jobs, FIFO within each', async () => {
  const submitted: Array<[Priority, string]> = [
    ['background', 'b1'],
    ['normal', 'n1'],
    ['background', 'b2'],
    ['urgent', 'u1'],
    ['normal', 'n2'],
    ['urgent', 'u2'],
    ['normal', 'n3'],
  ];
  for (const [priority, label] of submitted) await queue.add(payload(priority, label));

  const order: string[] = [];
  const connection = createRedis({ kind: 'single', url: redisUrl }, 'worker');
  let worker: Worker<TranscodeJobData> | undefined;
  try {
    await new Promise<void>((resolve) => {
      worker = new Worker<TranscodeJobData>(
        QUEUE_NAMES.transcode,
        async (job) => {
          order.push(job.data.trackId);
          if (order.length === submitted.length) setImmediate(resolve);
        },
        { connection, prefix, concurrency: 1 },
      );
    });
  } finally {
    await worker?.close();
    await connection.quit();
  }
  expect(order).toEqual(['u1', 'u2', 'n1', 'n2', 'n3', 'b1', 'b2']);
});

it('reads a job back with its payload and state', async () => {
  const data = payload('normal', 'readback');
  await queue.add(data);
  const snapshot = await queue.get(data.jobId);
  expect(snapshot).toMatchObject({ id: data.jobId, data, progress: 0, startedAt: null, failedReason: null });
  expect(['waiting', 'prioritized']).toContain(snapshot?.state);
  expect(await queue.get(randomUUID())).toBeNull();
});
