import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DomainError, UnavailableError } from '@stream-server/errors';
import { JOB_POLICIES, PRIORITY_VALUES } from './job-policy';
import { QUEUE_NAMES, type TranscodeJobData, type TranscodeJobResult } from './job-contract';
import type { QueueState } from './job-status';

/** A job as read from Redis, in domain terms (no BullMQ types leak out). */
export interface JobSnapshot {
  readonly id: string;
  readonly data: TranscodeJobData;
  readonly state: QueueState;
  readonly progress: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly failedReason: string | null;
  readonly attemptsMade: number;
  readonly result: TranscodeJobResult | null;
}

export interface TranscodeQueueOptions {
  readonly prefix: string;
  readonly attempts: number;
  readonly retentionDays: number;
}

type TranscodeJob = Job<TranscodeJobData, TranscodeJobResult, 'transcode'>;

/**
 * The producer side of the transcode queue, used by the API: add a job,
 * read one back. Every Redis failure becomes an UnavailableError so the
 * API answers 503 instead of crashing or hanging.
 */
export class TranscodeQueue {
  readonly queue: Queue<TranscodeJobData, TranscodeJobResult, 'transcode'>;

  constructor(
    private readonly connection: Redis,
    private readonly options: TranscodeQueueOptions,
  ) {
    this.queue = new Queue(QUEUE_NAMES.transcode, { connection, prefix: options.prefix });
    // Without a listener an 'error' event would crash the process; the
    // connection's own retry logic handles reconnection.
    this.queue.on('error', () => undefined);
  }

  async add(data: TranscodeJobData): Promise<void> {
    const policy = JOB_POLICIES.transcode;
    const keepSeconds = this.options.retentionDays * 86_400;
    await guard(() =>
      this.queue.add('transcode', data, {
        jobId: data.jobId,
        priority: PRIORITY_VALUES[data.priority],
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: policy.backoffMs },
        removeOnComplete: { age: keepSeconds },
        removeOnFail: { age: keepSeconds },
      }),
    );
  }

  async get(jobId: string): Promise<JobSnapshot | null> {
    return guard(async () => {
      const job = await this.queue.getJob(jobId);
      if (!job) return null;
      const state = await job.getState();
      return snapshotOf(job, state);
    });
  }

  async ping(): Promise<void> {
    await guard(() => this.connection.ping());
  }

  /** Deletes every key of this queue (tests and `reset` tooling only). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export function snapshotOf(job: TranscodeJob, state: QueueState | string): JobSnapshot {
  const progress = typeof job.progress === 'number' ? job.progress : 0;
  return {
    id: job.id ?? job.data.jobId,
    data: job.data,
    state: isQueueState(state) ? state : 'unknown',
    progress,
    createdAt: job.timestamp,
    startedAt: job.processedOn ?? null,
    finishedAt: job.finishedOn ?? null,
    failedReason: job.failedReason ? job.failedReason : null,
    attemptsMade: job.attemptsMade,
    result: job.returnvalue ?? null,
  };
}

const QUEUE_STATES: readonly QueueState[] = [
  'waiting',
  'waiting-children',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
  'unknown',
];

function isQueueState(value: string): value is QueueState {
  return (QUEUE_STATES as readonly string[]).includes(value);
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new UnavailableError('QUEUE_UNAVAILABLE', 'The job queue (Redis) is not reachable right now; try again shortly.');
  }
}
