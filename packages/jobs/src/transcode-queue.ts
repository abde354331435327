import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DomainError, UnavailableError } from '@stream-server/errors';
import { JOB_POLICIES, PRIORITY_VALUES } from './job-policy';
import { QUEUE_NAMES, type TranscodeJobData, type TranscodeJobResult } from './job-contract';
import { isQueueState, type QueueState } from './job-status';
import { CancelRegistry, parseRecord, type CancelRecord } from './cancel-registry';
import { parseReadReply, READ_JOB, runScript, snapshotFromHash, STATE_KEYS } from './job-read';

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
  /** Set when someone cancelled the job (it may still be stopping). */
  readonly cancelledAt: number | null;
}

export type CancelOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'finished'; readonly snapshot: JobSnapshot }
  | {
      readonly kind: 'cancelled';
      /** False when it was cancelled before (the call is harmless). */
      readonly first: boolean;
      /** True when the job left the queue before any worker took it. */
      readonly removedFromQueue: boolean;
      readonly snapshot: JobSnapshot;
    };

export interface TranscodeQueueOptions {
  readonly prefix: string;
  readonly attempts: number;
  readonly retentionDays: number;
}

/** How long a finished job's snapshot is reused (see `get`), and how many are kept. */
const FINISHED_CACHE_MS = 2_000;
const FINISHED_CACHE_ENTRIES = 10_000;

type TranscodeJob = Job<TranscodeJobData, TranscodeJobResult, 'transcode'>;

/**
 * The producer side of the transcode queue, used by the API: add a job,
 * read one back. Every Redis failure becomes an UnavailableError so the
 * API answers 503 instead of crashing or hanging.
 */
export class TranscodeQueue {
  readonly queue: Queue<TranscodeJobData, TranscodeJobResult, 'transcode'>;
  readonly cancels: CancelRegistry;
  private readonly finished = new Map<string, { readonly snapshot: JobSnapshot; readonly at: number }>();

  constructor(
    private readonly connection: Redis,
    private readonly options: TranscodeQueueOptions,
  ) {
    this.queue = new Queue(QUEUE_NAMES.transcode, { connection, prefix: options.prefix });
    this.cancels = new CancelRegistry(connection, options.prefix, options.retentionDays * 86_400);
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

  /**
   * One job, its state and its cancel marker in ONE Redis round trip (a
   * read-only script), instead of getJob + getState + GET: status reads are
   * the API's most frequent call.
   */
  async get(jobId: string): Promise<JobSnapshot | null> {
    const cached = this.finished.get(jobId);
    if (cached && Date.now() - cached.at < FINISHED_CACHE_MS) return cached.snapshot;
    return guard(async () => {
      const keys = [this.queue.toKey(jobId), this.cancels.key(jobId), ...STATE_KEYS.map((name) => this.queue.toKey(name))];
      const reply = await runScript(this.connection, READ_JOB, keys, [jobId]);
      const read = parseReadReply(reply);
      const cancelled = read.cancel === null ? null : parseRecord(read.cancel);
      const snapshot =
        read.hash === null
          ? cancelled
            ? cancelledSnapshot(cancelled)
            : null
          : snapshotFromHash(jobId, read.hash, read.state, cancelled?.cancelledAt ?? null);
      if (snapshot && (snapshot.state === 'completed' || snapshot.state === 'failed' || read.hash === null)) {
        this.rememberFinished(snapshot);
      }
      return snapshot;
    });
  }

  /**
   * A finished job's record no longer changes (until retention removes it),
   * so its snapshot is reused for FINISHED_CACHE_MS: a player or a client
   * polling a finished job costs no Redis call per read. Running jobs are
   * always read fresh.
   */
  private rememberFinished(snapshot: JobSnapshot): void {
    if (this.finished.size >= FINISHED_CACHE_ENTRIES) {
      const oldest = this.finished.keys().next();
      if (!oldest.done) this.finished.delete(oldest.value);
    }
    this.finished.set(snapshot.id, { snapshot, at: Date.now() });
  }

  /**
   * Cancels a job: a pending one leaves the queue; a running one is marked
   * and its worker told to stop (it fails with reason "cancelled"). A
   * finished job cannot be cancelled. Calling it again changes nothing.
   */
  async cancel(jobId: string, now = Date.now()): Promise<CancelOutcome> {
    this.finished.delete(jobId);
    return guard(async () => {
      const job = await this.queue.getJob(jobId);
      if (!job) {
        const record = await this.cancels.get(jobId);
        if (!record) return { kind: 'not-found' };
        return { kind: 'cancelled', first: false, removedFromQueue: true, snapshot: cancelledSnapshot(record) };
      }
      const state = await job.getState();
      const existing = await this.cancels.get(jobId);
      if (existing) {
        return { kind: 'cancelled', first: false, removedFromQueue: false, snapshot: snapshotOf(job, state, existing.cancelledAt) };
      }
      if (state === 'completed' || state === 'failed') return { kind: 'finished', snapshot: snapshotOf(job, state, null) };

      const first = await this.cancels.mark({ cancelledAt: now, createdAt: job.timestamp, data: job.data });
      let removedFromQueue = false;
      if (state !== 'active') {
        // Fails when a worker took the job in the meantime (it is locked).
        removedFromQueue = await job.remove().then(
          () => true,
          () => false,
        );
      }
      if (!removedFromQueue) {
        await this.cancels.announce(jobId);
        // It may have finished between our read and the mark: then it stays finished.
        const after = await job.getState();
        if (after === 'completed') {
          await this.cancels.unmark(jobId);
          const fresh = await this.queue.getJob(jobId);
          return { kind: 'finished', snapshot: snapshotOf(fresh ?? job, after, null) };
        }
      }
      return { kind: 'cancelled', first, removedFromQueue, snapshot: snapshotOf(job, state, now) };
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

function cancelledSnapshot(record: CancelRecord): JobSnapshot {
  return {
    id: record.data.jobId,
    data: record.data,
    state: 'unknown',
    progress: 0,
    createdAt: record.createdAt,
    startedAt: null,
    finishedAt: record.cancelledAt,
    failedReason: null,
    attemptsMade: 0,
    result: null,
    cancelledAt: record.cancelledAt,
  };
}

export function snapshotOf(job: TranscodeJob, state: QueueState | string, cancelledAt: number | null): JobSnapshot {
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
    cancelledAt,
  };
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw queueUnavailable();
  }
}

/** The one error every Redis failure on a request path becomes (503). */
export function queueUnavailable(): UnavailableError {
  return new UnavailableError('QUEUE_UNAVAILABLE', 'The job queue (Redis) is not reachable right now; try again shortly.');
}
